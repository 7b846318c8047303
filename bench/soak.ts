// npm run bench -- --soak: does the built process hold its memory? It compiles dist/, starts
// `node dist/main.js` as production runs it — on PostgreSQL, against the fake Slack and a fake
// Dolfin on loopback HTTP — and drives it as Slack would: a signed /role command, then a signed
// Approve click, for each of SOAK_REQUESTS requests (10,000 by default), which the process
// applies through its real connector. The process's resident memory is read from its own
// /metrics after 1,000 and after all of them; the second may exceed the first by at most 10 %.
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { promisify } from "node:util";
import { openTestDatabase } from "../test/support/database.js";
import { DOLFIN_KEY, FakeDolfin } from "../test/support/fake-vendors/dolfin.js";
import { FakeSlackApi } from "../test/support/fake-slack-api.js";
import { startNode } from "../test/support/script.js";
import { slackSignature } from "../test/support/slack-signature.js";
import { freePort, waitFor } from "../test/support/wait.js";

const BOT_TOKEN = "xoxb-soak-0001";
const SIGNING_SECRET = "soak-signing-secret";
const APPROVER = "U0APPROVE";
const REQUESTER = "U0REQUEST";
/** Requests timed one at a time, approve click to vendor call, after the soak. */
const PROBES = 100;

export interface SoakFigures {
  checkpoints: { requests: number; rssMb: number; heapMb: number; heapTotalMb: number }[];
  perSecond: number;
  /** Approve click sent → the vendor receiving the change, one request at a time, once idle. */
  approveToVendor: { p50: number; p95: number; max: number };
}

export async function soak(total: number, firstCheckpoint: number, concurrency: number): Promise<SoakFigures> {
  const database = await openTestDatabase({ poolSize: 4 });
  if (database.kind !== "postgres") throw new Error("the soak needs the PostgreSQL server: the built process connects to it");
  const dir = await mkdtemp(join(tmpdir(), "rolegate-soak-"));
  const slack = new FakeSlackApi(BOT_TOKEN);
  const dolfin = new FakeDolfin("org-acme");
  dolfin.pageSize = 50;
  for (let i = 0; i < total; i++) dolfin.addUser(`u-${i}`, `p${i}@example.com`, "Member");
  slack.users.set(APPROVER, "approver@example.com");
  slack.users.set(REQUESTER, "requester@example.com");
  await Promise.all([slack.start(), dolfin.start()]);

  await promisify(execFile)(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.build.json"]);
  await writeFile(
    join(dir, "rolegate.yml"),
    `approvalChannel: C0APPROVALS\napprovers: { users: [${APPROVER}] }\ntargets:\n  dolfin-acme: { vendor: dolfin, organization: org-acme, baseUrl: "${dolfin.origin}", tokenEnv: DOLFIN_KEY }\n`,
  );
  const port = await freePort();
  // Exactly what `npm start` runs, heap budget included; SOAK_NODE_FLAGS replaces its flags.
  const flags = process.env.SOAK_NODE_FLAGS?.split(" ").filter(Boolean) ?? startFlags();
  const rolegate = startNode(
    [...flags, join(process.cwd(), "dist/main.js")],
    { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.url, PORT: String(port), DATABASE_URL: database.url!, DOLFIN_KEY, LOG_LEVEL: "warn" },
    dir,
  );
  try {
    const origin = `http://127.0.0.1:${port}`;
    const ready = () =>
      fetch(`${origin}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
    await waitFor(
      async () => rolegate.child.exitCode !== null || (await ready()),
      () => `start-up:\n${rolegate.output()}`,
      60_000,
    );
    if (rolegate.child.exitCode !== null) throw new Error(`rolegate exited:\n${rolegate.output()}`);
    const replies = new RepliesByUrl(slack);
    let triggers = 0;

    const post = async (body: string, contentType: string) => {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const signature = slackSignature(SIGNING_SECRET, timestamp, body);
      const response = await fetch(`${origin}/slack/events`, {
        method: "POST",
        headers: { "content-type": contentType, "x-slack-request-timestamp": timestamp, "x-slack-signature": signature },
        body,
      });
      await response.text();
      if (response.status !== 200) throw new Error(`Slack request answered ${response.status}`);
    };
    /** Files a request for `email` and approves it; resolves with when the approve click was sent. */
    const fileAndApproveEmail = async (email: string, reason: string): Promise<number> => {
      const responseUrl = slack.responseUrl();
      await post(
        new URLSearchParams({
          team_id: "T0ACME",
          api_app_id: "A0ROLEGATE",
          channel_id: "C0GENERAL",
          user_id: REQUESTER,
          command: "/role",
          text: `set dolfin-acme ${email} admin ${reason}`,
          response_url: responseUrl,
          trigger_id: `trigger.${triggers++}`,
        }).toString(),
        "application/x-www-form-urlencoded",
      );
      const reply = await replies.wait(responseUrl);
      const id = /Request \*([0-9A-Z]{6})\* filed/.exec(reply)?.[1];
      if (!id) throw new Error(`not filed: ${reply}`);
      const payload = {
        type: "block_actions",
        user: { id: APPROVER, team_id: "T0ACME" },
        team: { id: "T0ACME" },
        api_app_id: "A0ROLEGATE",
        trigger_id: `trigger.${triggers++}`,
        channel: { id: "C0APPROVALS" },
        response_url: slack.responseUrl(),
        actions: [{ type: "button", action_id: "rolegate_approve", block_id: "b", value: id, action_ts: "1" }],
      };
      const clickedAt = performance.now();
      await post(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), "application/x-www-form-urlencoded");
      return clickedAt;
    };
    const fileAndApprove = (i: number) => fileAndApproveEmail(`p${i}@example.com`, `soak ${i}`);
    const fileAndApproveProbe = (i: number) => fileAndApproveEmail(`probe${i}@example.com`, `probe ${i}`);

    const applied = async () => Number((await database.prisma.roleRequest.count({ where: { status: "APPLIED" } })) ?? 0);
    const memory = async () => {
      await new Promise((r) => setTimeout(r, 3_000)); // let the process settle: notices out, timers idle
      const text = await (await fetch(`${origin}/metrics`)).text();
      const read = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? NaN) / 1024 / 1024;
      return {
        rssMb: read("rolegate_process_resident_memory_bytes"),
        heapMb: read("rolegate_nodejs_heap_size_used_bytes"),
        heapTotalMb: read("rolegate_nodejs_heap_size_total_bytes"),
      };
    };

    // The executor works through the backlog at its own pace: wait while it makes progress.
    const untilApplied = async (count: number) => {
      for (let done = await applied(), idleSince = Date.now(); done < count;) {
        await new Promise((r) => setTimeout(r, 1_000));
        const now = await applied();
        if (now > done) [done, idleSince] = [now, Date.now()];
        else if (Date.now() - idleSince > 60_000 || rolegate.child.exitCode !== null) {
          throw new Error(`stuck at ${done} of ${count} applied; rolegate said:\n${rolegate.output().slice(-3_000)}`);
        }
      }
    };
    const checkpoints: SoakFigures["checkpoints"] = [];
    let drivingMs = 0;
    let next = 0;
    for (const upTo of [firstCheckpoint, total]) {
      const started = performance.now();
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < upTo) await fileAndApprove(next++);
        }),
      );
      await untilApplied(upTo);
      // Read afresh: the check before start-up narrowed exitCode for the compiler, not for the process.
      const exitCode = rolegate.child.exitCode as number | null;
      if (exitCode !== null) throw new Error(`rolegate exited (${exitCode}):\n${rolegate.output().slice(-3_000)}`);
      drivingMs += performance.now() - started;
      checkpoints.push({ requests: upTo, ...(await memory()) });
    }
    const perSecond = total / (drivingMs / 1000);
    if (dolfin.writes().length !== total) throw new Error(`expected ${total} vendor writes, saw ${dolfin.writes().length}`);

    // Latency, once the backlog is gone: an approve click to the vendor's PATCH, one at a time.
    await waitFor(async () => (await database.prisma.notice.count({ where: { doneAt: null } })) === 0, "the outbox to drain", 600_000);
    const latencies: number[] = [];
    for (let i = 0; i < PROBES; i++) {
      dolfin.addUser(`u-probe-${i}`, `probe${i}@example.com`, "Member");
      const writes = dolfin.writes().length;
      const clickedAt = await fileAndApproveProbe(i);
      await waitFor(() => dolfin.writes().length > writes, "the probe's PATCH", 10_000);
      latencies.push(dolfin.writes().at(-1)!.at - clickedAt);
    }
    latencies.sort((a, b) => a - b);
    const approveToVendor = { p50: latencies[Math.floor(PROBES * 0.5)]!, p95: latencies[Math.floor(PROBES * 0.95)]!, max: latencies.at(-1)! };
    return { checkpoints, perSecond, approveToVendor };
  } finally {
    await rolegate.stop();
    await Promise.all([slack.stop(), dolfin.stop()]);
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The fake Slack's response_url posts, by URL, as they arrive. */
class RepliesByUrl {
  private seen = 0;
  private readonly byUrl = new Map<string, string>();

  constructor(private readonly slack: FakeSlackApi) {}

  async wait(url: string): Promise<string> {
    const path = new URL(url).pathname;
    await waitFor(() => this.take(path) !== undefined, `the reply at ${path}`, 30_000);
    const text = this.take(path)!;
    this.byUrl.delete(path);
    return text;
  }

  private take(path: string): string | undefined {
    for (; this.seen < this.slack.responses.length; this.seen++) {
      const response = this.slack.responses[this.seen]!;
      this.byUrl.set(response.url, typeof response.body.text === "string" ? response.body.text : "");
    }
    return this.byUrl.get(path);
  }
}

/** The node flags of package.json's start script ("node <flags> dist/main.js"). */
function startFlags(): string[] {
  const start = (JSON.parse(readFileSync("package.json", "utf8")) as { scripts: { start: string } }).scripts.start.split(" ");
  return start.slice(1, start.indexOf("dist/main.js"));
}
