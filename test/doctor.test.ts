// `npm run doctor` as a person runs it: a child process, against the fake Slack and vendors.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase, type TestDatabase } from "./support/database.js";
import { AITRONOS_KEY, FakeAitronos } from "./support/fake-vendors/aitronos.js";
import { DEVIN_KEY, FakeDevin } from "./support/fake-vendors/devin.js";
import { DOLFIN_KEY, FakeDolfin } from "./support/fake-vendors/dolfin.js";
import { FakeSentry, SENTRY_TOKEN } from "./support/fake-vendors/sentry.js";
import { FakeSlackApi } from "./support/fake-slack-api.js";
import { startScript } from "./support/script.js";

const BOT_TOKEN = "xoxb-test-doctor-0001";

let dir: string;
let database: TestDatabase;
const slack = new FakeSlackApi(BOT_TOKEN);
const sentry = new FakeSentry("acme");
const devin = new FakeDevin();
const dolfin = new FakeDolfin("org-acme");
const aitronos = new FakeAitronos("org_acme01");

beforeAll(async () => {
  sentry.addMember("1", "bot@example.com", "owner");
  await Promise.all([slack.start(), sentry.start(), devin.start(), dolfin.start(), aitronos.start()]);
  database = await openTestDatabase();
  dir = await mkdtemp(join(tmpdir(), "rolegate-doctor-"));
  await writeFile(
    join(dir, "rolegate.yml"),
    `approvalChannel: C0123456789
approvers: { users: [U0AAAAAAA] }
targets:
  sentry-acme: { vendor: sentry, organization: acme, baseUrl: "${sentry.origin}", tokenEnv: SENTRY_TOKEN }
  devin-a: { vendor: devin, organization: org-a, baseUrl: "${devin.origin}", tokenEnv: DEVIN_KEY }
  dolfin-acme: { vendor: dolfin, organization: org-acme, baseUrl: "${dolfin.origin}", tokenEnv: DOLFIN_KEY }
  aitronos-acme: { vendor: aitronos, organization: org_acme01, baseUrl: "${aitronos.origin}", tokenEnv: AITRONOS_KEY }
`,
  );
});
afterAll(async () => {
  await Promise.all([slack.stop(), sentry.stop(), devin.stop(), dolfin.stop(), aitronos.stop()]);
  await database.drop();
  await rm(dir, { recursive: true, force: true });
});

async function doctor(env: Record<string, string>, cwd = dir): Promise<{ code: number | null; output: string }> {
  const run = startScript("src/doctor/main.ts", env, cwd);
  const code = await run.exited;
  return { code, output: run.output() };
}

const goodEnv = () => ({
  SLACK_BOT_TOKEN: BOT_TOKEN,
  SLACK_SIGNING_SECRET: "doctor-signing-secret",
  SLACK_API_URL: slack.url,
  DATABASE_URL: database.url ?? "",
  SENTRY_TOKEN,
  DEVIN_KEY,
  DOLFIN_KEY,
  AITRONOS_KEY,
});

describe("npm run doctor", () => {
  it("prints a table of OKs and exits 0 when Slack, the database and every target answer", async () => {
    const { code, output } = await doctor(goodEnv());
    expect(output).toMatch(/^CHECK\s+VENDOR\s+RESULT$/m);
    expect(output).toMatch(/^slack\s+-\s+OK {2}bot rolegate in workspace Acme$/m);
    expect(output).toMatch(/^database\s+-\s+OK /m);
    expect(output).toMatch(/^sentry-acme\s+sentry\s+OK {2}5 roles readable in acme$/m);
    expect(output).toMatch(/^devin-a\s+devin\s+OK {2}2 roles readable in org-a$/m);
    expect(output).toMatch(/^dolfin-acme\s+dolfin\s+OK {2}users of org-acme readable$/m);
    expect(output).toMatch(/^aitronos-acme\s+aitronos\s+OK {2}4 roles readable in org_acme01$/m);
    expect(output).toContain("Everything rolegate needs answers.");
    expect(code).toBe(0);
  }, 60_000);

  it("says how each target's inventory is going, and fails for one whose last sync could not read everything", async () => {
    await database.prisma.inventoryTarget.createMany({
      data: [
        {
          target: "sentry-acme",
          nextSyncAt: new Date(),
          syncedAt: new Date(Date.now() - 30 * 60_000),
          lastAttemptAt: new Date(),
          lastOutcome: "complete",
        },
        {
          target: "dolfin-acme",
          nextSyncAt: new Date(),
          syncedAt: new Date(Date.now() - 90 * 60_000),
          lastAttemptAt: new Date(),
          lastOutcome: "partial",
          lastProblem: "could not read page 7 of the members list: Service unavailable",
        },
      ],
    });
    try {
      const { code, output } = await doctor(goodEnv());
      expect(output).toMatch(
        /^sentry-acme inventory\s+sentry\s+OK {2}read whole 30 min ago, 0 members; last sync complete$/m,
      );
      expect(output).toMatch(
        /^dolfin-acme inventory\s+dolfin\s+FAILED {2}read whole 90 min ago, 0 members; last sync partial: could not read page 7 of the members list: Service unavailable$/m,
      );
      expect(output).toContain("→ Run /role sync dolfin-acme");
      expect(output).toMatch(/^devin-a inventory\s+devin\s+OK {2}not synced yet/m);
      expect(code).toBe(1);
    } finally {
      await database.prisma.inventoryTarget.deleteMany();
    }
  }, 60_000);

  it("says what failed and how to fix it, exits non-zero, and never prints a credential", async () => {
    const { code, output } = await doctor({
      ...goodEnv(),
      DEVIN_KEY: "apk_user_example_wrongkey",
      DOLFIN_KEY: "dolfin-wrong-key-0001",
      SLACK_BOT_TOKEN: "xoxb-test-revoked-0001",
      DATABASE_URL: "postgresql://postgres@127.0.0.1:1/nowhere",
    });
    expect(output).toMatch(/^slack\s+-\s+FAILED {2}auth.test failed: invalid_auth$/m);
    expect(output).toContain("→ Copy the Bot User OAuth Token (xoxb-…)");
    expect(output).toMatch(/^database\s+-\s+FAILED {2}cannot connect/m);
    expect(output).toMatch(
      /^devin-a\s+devin\s+FAILED {2}Invalid or missing API key \(request id devin-req-42\) \(HTTP 401\)$/m,
    );
    // Dolfin's roles are fixed, so its check reads users: a wrong key cannot pass as OK.
    expect(output).toMatch(
      /^dolfin-acme\s+dolfin\s+FAILED {2}The API key is missing or invalid\. \(code Auth\.InvalidApiKey/m,
    );
    expect(output).toContain("→ Put an enterprise admin personal API key (apk_user_…) in DEVIN_KEY.");
    expect(output).toMatch(/^sentry-acme\s+sentry\s+OK /m);
    expect(output).toContain("4 checks failed.");
    expect(output).not.toMatch(
      /apk_user_example_wrongkey|dolfin-wrong-key-0001|xoxb-test-revoked-0001|sntryu_fortests0001/,
    );
    expect(code).toBe(1);
  }, 60_000);

  it("names an approvals key that matches none of the target's roles, instead of letting it fall back to default", async () => {
    const other = await mkdtemp(join(tmpdir(), "rolegate-doctor-keys-"));
    try {
      await writeFile(
        join(other, "rolegate.yml"),
        `approvalChannel: C0123456789
approvers: { users: [U0AAAAAAA] }
targets:
  aitronos-acme: { vendor: aitronos, organization: org_acme01, baseUrl: "${aitronos.origin}", tokenEnv: AITRONOS_KEY, approvals: { default: 1, ownr: 2, admin: 2 } }
`,
      );
      const { code, output } = await doctor(goodEnv(), other);
      expect(output).toMatch(
        /^aitronos-acme\s+aitronos\s+FAILED {2}approvals key "ownr" matches none of its roles \(Owner, Admin, Member, Department Manager\)$/m,
      );
      expect(output).toContain("→ Correct targets.aitronos-acme.approvals in rolegate.yml");
      expect(code).toBe(1);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  }, 60_000);
});
