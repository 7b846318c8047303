// `npm start`, as a person runs it: the real main.ts in a child process.
import { mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FakeSlackApi } from "./support/fake-slack-api.js";
import { startScript, type RunningScript } from "./support/script.js";
import { signedHeaders } from "./support/slack-signature.js";
import { freePort, waitFor } from "./support/wait.js";

const BOT_TOKEN = "xoxb-test-main-0001";
const SIGNING_SECRET = "test-signing-secret-0001";
const CONFIG = `
approvalChannel: C0123456789
approvers: { users: [U0AAAAAAA] }
targets:
  dolfin-acme: { vendor: dolfin, organization: org-acme, tokenEnv: DOLFIN_TOKEN }
`;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function startRolegate(env: Record<string, string>, cwd: string): RunningScript {
  const run = startScript("src/main.ts", env, cwd);
  cleanups.push(run.stop);
  return run;
}

async function workdir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "rolegate-main-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, "rolegate.yml"), CONFIG);
  return dir;
}

describe("npm start", () => {
  it("with no Slack variables, exits non-zero naming them, before touching anything", async () => {
    const dir = await workdir();
    const run = startRolegate({}, dir);
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain("rolegate cannot start: the environment is incomplete.");
    expect(run.output()).toContain("SLACK_BOT_TOKEN is not set");
    expect(run.output()).toContain("SLACK_SIGNING_SECRET is not set");
    expect(run.output()).toContain('See README.md, section "Configuration".');
    expect(await readdir(dir)).toEqual(["rolegate.yml"]); // no .data: the database was not touched
  });

  it("with a config error, exits naming the key path", async () => {
    const dir = await workdir();
    await writeFile(join(dir, "rolegate.yml"), CONFIG.replace("vendor: dolfin", "vendor: dolphin"));
    const run = startRolegate(
      { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, DOLFIN_TOKEN: "x".repeat(12) },
      dir,
    );
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain(
      "targets.dolfin-acme.vendor (line 5): must be one of sentry, devin, dolfin, aitronos",
    );
  });

  it("with an approvals key that matches none of a target's roles, exits naming it, before any database is made", async () => {
    const slack = new FakeSlackApi(BOT_TOKEN);
    await slack.start();
    cleanups.push(() => slack.stop());
    const dir = await workdir();
    await writeFile(
      join(dir, "rolegate.yml"),
      CONFIG.replace("tokenEnv: DOLFIN_TOKEN", "tokenEnv: DOLFIN_TOKEN, approvals: { default: 1, ownr: 2 }"),
    );
    const run = startRolegate(
      {
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.url,
        PORT: String(await freePort()),
        DOLFIN_TOKEN: "dolfin-secret-0001",
      },
      dir,
    );
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain(
      "targets.dolfin-acme.approvals.ownr: matches none of dolfin-acme's roles (Member, Admin, Owner)",
    );
    expect(await readdir(dir)).toEqual(["rolegate.yml"]);
  }, 90_000);

  it("with Slack set and no DATABASE_URL, creates and migrates the embedded database and serves", async () => {
    const slack = new FakeSlackApi(BOT_TOKEN);
    await slack.start();
    cleanups.push(() => slack.stop());
    const dir = await workdir();
    const port = await freePort();
    const run = startRolegate(
      {
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.url,
        PORT: String(port),
        DOLFIN_TOKEN: "dolfin-secret-0001",
      },
      dir,
    );
    await waitFor(
      () => run.output().includes("rolegate is running") || run.child.exitCode !== null,
      () => `start-up; output so far:\n${run.output()}`,
      60_000,
    );
    expect(run.child.exitCode, run.output()).toBeNull();

    expect(slack.calls.map((c) => c.method)).toContain("auth.test");
    expect((await stat(join(dir, ".data"))).isDirectory()).toBe(true);
    expect(run.output()).toContain('"msg":"applied migration"');

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true });

    // Slack's requests are verified: a forged signature is turned away.
    const body = "command=%2Frole&text=help";
    const timestamp = String(Math.floor(Date.now() / 1000));
    const forged = await fetch(`http://127.0.0.1:${port}/slack/events`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": "v0=" + "0".repeat(64),
      },
      body,
    });
    expect(forged.status).toBe(401);
    const signed = await fetch(`http://127.0.0.1:${port}/slack/events`, {
      method: "POST",
      headers: signedHeaders(SIGNING_SECRET, body, timestamp),
      body,
    });
    expect(signed.status).not.toBe(401);

    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    expect(run.output()).not.toMatch(/xoxb-test-main-0001|test-signing-secret-0001|dolfin-secret-0001/);
  }, 90_000);

  it("with a token Slack refuses, says so and exits without leaking the token", async () => {
    const slack = new FakeSlackApi("xoxb-test-some-other-token");
    await slack.start();
    cleanups.push(() => slack.stop());
    const dir = await workdir();
    const run = startRolegate(
      {
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.url,
        PORT: String(await freePort()),
        DOLFIN_TOKEN: "dolfin-secret-0001",
      },
      dir,
    );
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain("rolegate could not start:");
    expect(run.output()).toContain("invalid_auth");
    expect(run.output()).not.toContain(BOT_TOKEN);
    expect(await readdir(dir)).toEqual(["rolegate.yml"]); // refused before any database was made
  }, 90_000);
});
