import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/errors.js";
import { loadConfigFile, parseConfig } from "../../src/config/file.js";

const ENV = { SENTRY_TOKEN: "sntrys_x", DEVIN_API_KEY: "apk_user_x" };

function problemsOf(text: string, env: NodeJS.ProcessEnv = ENV): string[] {
  try {
    parseConfig(text, "rolegate.yml", env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("the config was accepted");
}

const VALID = `
approvalChannel: C0123456789
approvers: { users: [U0AAAAAAA] }
targets:
  sentry-acme: { vendor: sentry, organization: acme, tokenEnv: SENTRY_TOKEN }
`;

describe("rolegate.yml", () => {
  it("per-requester limits default to 20 open and 30 an hour, and a bad one is named by its path", () => {
    expect(parseConfig(VALID, "rolegate.yml", ENV).limits).toEqual({ openPerRequester: 20, filedPerHour: 30 });
    expect(problemsOf(`${VALID}limits: { openPerRequester: 0, filedPerhour: 5 }\n`).join("\n")).toMatch(
      /limits\.openPerRequester \(line \d+\)[\s\S]*filedPerhour/,
    );
  });

  it("the inventory runs every 6h unless said; a bad interval or alertOn says how to write it", () => {
    expect(parseConfig(VALID, "rolegate.yml", ENV).inventory).toEqual({ every: 6 * 3_600_000 });
    expect(parseConfig(`${VALID}inventory: { every: off }\n`, "rolegate.yml", ENV).inventory).toEqual({ every: null });
    const problems = problemsOf(`
approvalChannel: C0123456789
approvers: { users: [U0AAAAAAA] }
inventory: { every: sometimes }
targets:
  sentry-acme: { vendor: sentry, organization: acme, tokenEnv: SENTRY_TOKEN, alertOn: owner }
`).join("\n");
    expect(problems).toMatch(/inventory\.every \(line 4\): "sometimes" is not a duration; write it like 6h/);
    expect(problems).toMatch(
      /targets\.sentry-acme\.alertOn \(line 6\): must be "all" or a list of roles such as \[owner, admin\]/,
    );
  });

  it("the committed example is valid and reads as documented", async () => {
    const config = parseConfig(await readFile("rolegate.example.yml", "utf8"), "rolegate.example.yml", ENV);
    expect(config.approvalChannel).toBe("C0123456789");
    expect(config.pendingTtl).toBe(24 * 3_600_000);
    expect(config.executor).toEqual({ maxAttempts: 5, firstRetryDelay: 30_000, maxRetryDelay: 900_000, lease: 15_000 });
    expect(config.limits).toEqual({ openPerRequester: 20, filedPerHour: 30 });
    expect(config.targets.get("sentry-acme")).toMatchObject({
      name: "sentry-acme",
      vendor: "sentry",
      organization: "acme",
      baseUrl: "https://sentry.io",
      tokenEnv: "SENTRY_TOKEN",
      approvals: { default: 1, owner: 2 },
    });
    expect(config.targets.get("devin-platform")?.approvers).toEqual({ users: ["U0CCCCCCC"], usergroups: [] });
  });

  it("fills in defaults: one approval, a day to decide", () => {
    const config = parseConfig(VALID, "rolegate.yml", ENV);
    expect(config.pendingTtl).toBe(86_400_000);
    expect(config.targets.get("sentry-acme")?.approvals).toEqual({ default: 1 });
  });

  it("names the key path and the line of each problem, all at once", () => {
    const problems = problemsOf(`
approvalChannel: "#admins"
approvers: { users: [U0AAAAAAA] }
pendingTtl: 24
targets:
  sentry-acme:
    vendor: sentri
    organization: acme
    tokenEnv: SENTRY_TOKEN
    approvals: { owner: two }
`);
    expect(problems).toEqual([
      "approvalChannel (line 2): must be a channel id such as C0123456789 (not a #name)",
      "pendingTtl (line 4): must be a duration such as 24h",
      "targets.sentry-acme.vendor (line 7): must be one of sentry, devin, dolfin, aitronos",
      "targets.sentry-acme.approvals.owner (line 10): must be a whole number of approvals",
    ]);
  });

  it("explains a duration it cannot read", () => {
    expect(problemsOf(VALID + "pendingTtl: 1 day\n")).toEqual([
      'pendingTtl (line 6): "1 day" is not a duration; write it like 24h (units: s, m, h, d)',
    ]);
  });

  it("says what is missing, where", () => {
    expect(problemsOf(`approvers: { users: [] }\ntargets: {}\n`)).toEqual([
      "approvalChannel: is missing; must be the id of the channel where approval cards are posted, such as C0123456789",
      "approvers (line 1): names nobody: list at least one user or user group",
      "targets (line 2): lists no target: add at least one",
    ]);
  });

  it("refuses a credential written into the file, and says where it belongs", () => {
    const problems = problemsOf(VALID.replace("tokenEnv: SENTRY_TOKEN", "tokenEnv: SENTRY_TOKEN, token: sntrys_abc"));
    expect(problems).toEqual([
      'targets.sentry-acme (line 5): unknown key "token": credentials never live in this file; put it in an environment variable and name that variable in tokenEnv',
    ]);
  });

  it("refuses a target whose credential variable is not set", () => {
    expect(problemsOf(VALID, {})).toEqual([
      "targets.sentry-acme.tokenEnv: the environment variable SENTRY_TOKEN is not set",
    ]);
  });

  it("refuses names and ids people would mistype", () => {
    const problems = problemsOf(`
approvalChannel: C0123456789
approvers: { users: ["@alice"], usergroups: [admins] }
targets:
  "Sentry ACME": { vendor: sentry, organization: acme, tokenEnv: SENTRY_TOKEN }
  sentry-de: { vendor: sentry, organization: acme, tokenEnv: sentry-token, baseUrl: "ftp://x" }
`);
    expect(problems).toEqual([
      "approvers.users.0 (line 3): must be a Slack user id such as U0123ABCD (not a name or @mention)",
      "approvers.usergroups.0 (line 3): must be a Slack user group id such as S0123ABCD (not a @handle)",
      "targets.Sentry ACME (line 5): target names are what people type: lowercase letters, digits, . _ -, at most 40",
      "targets.sentry-de.baseUrl (line 6): must be an http(s) origin such as https://de.sentry.io",
      "targets.sentry-de.tokenEnv (line 6): must be an environment variable name such as SENTRY_TOKEN (the credential itself never goes in this file)",
    ]);
  });

  it("reports broken YAML by line", () => {
    expect(problemsOf("approvalChannel: C0123456789\napprovers: [\n")[0]).toMatch(/^line \d+: /);
  });

  it("a missing file says how to create one", async () => {
    const dir = await mkdtemp(join(tmpdir(), "rolegate-config-"));
    try {
      await expect(loadConfigFile(join(dir, "rolegate.yml"), ENV)).rejects.toThrow(
        "does not exist. Copy rolegate.example.yml to rolegate.yml",
      );
      await writeFile(join(dir, "rolegate.yml"), VALID);
      expect((await loadConfigFile(join(dir, "rolegate.yml"), ENV)).targets.size).toBe(1);
    } finally {
      await rm(dir, { recursive: true });
    }
  });
});
