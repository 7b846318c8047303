// Crash safety with real processes: rolegate's own main.ts, twice, on one PostgreSQL database.
// The one holding a request is killed (SIGKILL) in the middle of its vendor call; the other
// takes the request over once the lease runs out by the database's clock, and finishes it.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/file.js";
import { RequestRepo } from "../../src/requests/store/request-repo.js";
import { StoredHistory } from "../../src/requests/store/request-history.js";
import { openTestDatabase, requireServer, type TestDatabase } from "../support/database.js";
import { DOLFIN_KEY, FakeDolfin } from "../support/fake-vendors/dolfin.js";
import { FakeSlackApi } from "../support/fake-slack-api.js";
import { startScript, type RunningScript } from "../support/script.js";
import { freePort, waitFor } from "../support/wait.js";

const BOT_TOKEN = "xoxb-test-takeover-0001";
let database: TestDatabase;
let dir: string;
const slack = new FakeSlackApi(BOT_TOKEN);
const dolfin = new FakeDolfin("org-acme");
const running: RunningScript[] = [];

beforeAll(async () => {
  database = await openTestDatabase();
  await Promise.all([slack.start(), dolfin.start()]);
  dir = await mkdtemp(join(tmpdir(), "rolegate-takeover-"));
});
afterAll(async () => {
  await Promise.all(running.map((r) => r.stop()));
  await Promise.all([slack.stop(), dolfin.stop()]);
  await database.drop();
  await rm(dir, { recursive: true, force: true });
});

const CONFIG = () => `
approvalChannel: C0APPROVALS
approvers: { users: [U0APPROVE] }
targets:
  dolfin-acme: { vendor: dolfin, organization: org-acme, baseUrl: "${dolfin.origin}", tokenEnv: DOLFIN_KEY }
`;

async function startRolegate(): Promise<RunningScript> {
  const run = startScript(
    "src/main.ts",
    {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: "takeover-signing-secret",
      SLACK_API_URL: slack.url,
      PORT: String(await freePort()),
      DATABASE_URL: database.url!,
      DOLFIN_KEY,
    },
    dir,
  );
  running.push(run);
  await waitFor(
    () => run.output().includes("rolegate is running") || run.child.exitCode !== null,
    () => `start-up:\n${run.output()}`,
    60_000,
  );
  expect(run.child.exitCode, run.output()).toBeNull();
  return run;
}

/** An approved request, as the Slack side would have left it. */
async function approvedRequest(repo: RequestRepo) {
  const now = new Date();
  const filed = await repo.create(
    {
      kind: "SET_ROLE",
      target: "dolfin-acme",
      requestedRole: { id: "Admin", name: "Admin" },
      reason: "on call",
      requesterId: "U0REQUEST",
      requiredApprovals: 1,
      expiresAt: new Date(now.getTime() + 3_600_000),
      members: [{ ref: "ada@example.com", email: "ada@example.com", vendorUserId: "u-ada", roleWhenFiled: "Member" }],
    },
    now,
  );
  const approved = await repo.transition(
    filed.id,
    {
      type: "approve",
      actor: "U0APPROVE",
      standing: { mayDecide: true, requesterMayAsk: true, ownAccess: { kind: "none" }, approvers: new Map() },
      now,
    },
    now,
  );
  expect(approved).toMatchObject({ ok: true, request: { status: "APPROVED" } });
  return filed;
}

describe("a process killed in the middle of a vendor call", () => {
  it("leaves its request to another process, which takes it over and finishes it within 20 s, with the change made once", async () => {
    requireServer(database.kind, "two processes need a database server to share");
    await writeFile(join(dir, "rolegate.yml"), CONFIG());
    dolfin.addUser("u-ada", "ada@example.com", "Member");
    dolfin.failNext({ hang: true }, (r) => r.method === "PATCH"); // the first call never returns

    const first = await startRolegate();
    const config = parseConfig(CONFIG(), "test", { DOLFIN_KEY });
    expect(config.executor.lease).toBe(15_000); // the default
    const repo = new RequestRepo(database.prisma);
    const filed = await approvedRequest(repo);

    await waitFor(() => dolfin.writes().length === 1, "the first process to call the vendor", 10_000);
    const second = await startRolegate();
    first.child.kill("SIGKILL");
    const killedAt = Date.now();

    await waitFor(
      async () => (await repo.find(filed.id))?.status === "APPLIED",
      "the second process to finish the request",
      20_000,
    );
    const tookMs = Date.now() - killedAt;
    expect(tookMs).toBeLessThan(20_000);
    expect(dolfin.users.get("u-ada")?.role).toBe("Admin");
    expect(dolfin.writes()).toHaveLength(2); // the hung call (never applied) and the one that applied it
    const claims = (await new StoredHistory(database.prisma).auditTrail(filed.id)).filter((e) => e.type === "CLAIMED");
    expect(claims).toHaveLength(2);
    expect(claims[1]?.details.takenOverFrom).toBe(claims[0]?.actor);
    expect(second.child.exitCode).toBeNull();
  }, 90_000);
});

describe("a process stopped with SIGTERM in the middle of a vendor call", () => {
  it("lets the call finish and records its outcome before it exits 0: nothing is left for another process to redo", async () => {
    requireServer(database.kind, "the test reads the request from outside the process");
    await Promise.all(running.splice(0).map((r) => r.stop())); // the processes of the test above
    await writeFile(join(dir, "rolegate.yml"), CONFIG());
    dolfin.users.clear();
    dolfin.received.length = 0;
    dolfin.addUser("u-ada", "ada@example.com", "Member");
    dolfin.failNext({ delayMs: 2_000 }, (r) => r.method === "PATCH"); // a slow answer

    const rolegate = await startRolegate();
    const repo = new RequestRepo(database.prisma);
    const filed = await approvedRequest(repo);
    await waitFor(() => dolfin.writes().length === 1, "the vendor call to start", 10_000);
    rolegate.child.kill("SIGTERM");

    expect(await rolegate.exited).toBe(0);
    expect(rolegate.output()).toContain('"msg":"shutting down"');
    expect(await repo.find(filed.id)).toMatchObject({ status: "APPLIED" });
    expect(dolfin.users.get("u-ada")?.role).toBe("Admin");
    expect(dolfin.writes()).toHaveLength(1);
  }, 60_000);
});
