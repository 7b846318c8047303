// npm run bench -- --soak: does the built process hold its memory? It compiles dist/, starts
// `node dist/main.js` as production runs it — on PostgreSQL, or with SOAK_DATABASE=embedded on
// the embedded database a newcomer's `npm start` uses — against the fake Slack and a fake
// Dolfin on loopback HTTP — and drives it as Slack would: a signed /role command, then a signed
// Approve click, for each of SOAK_REQUESTS requests (10,000 by default), which the process
// applies through its real connector. The process's resident memory is read from its own
// /metrics after 1,000 and after all of them; the second may exceed the first by at most 10 %.
// Then it times approve click → vendor call, one request at a time, and says where the time goes.
import { performance } from "node:perf_hooks";
import { openTestDatabase } from "../test/support/database.js";
import { DOLFIN_KEY, FakeDolfin } from "../test/support/fake-vendors/dolfin.js";
import { FakeSlackApi } from "../test/support/fake-slack-api.js";
import { waitFor } from "../test/support/wait.js";
import { BOT_TOKEN, filedId, RepliesByUrl, startBuiltRolegate } from "./built-process.js";
import { percentile } from "./timing.js";

const APPROVER = "U0APPROVE";
const REQUESTER = "U0REQUEST";
/** Requests timed one at a time, approve click to vendor call, after the soak. */
const PROBES = 300;

type Spread = { p50: number; p95: number; max: number };

export interface SoakFigures {
  checkpoints: { requests: number; rssMb: number; heapMb: number; heapTotalMb: number }[];
  perSecond: number;
  /** Notices still queued once the backlog was applied, and how long they took to go out. */
  outbox: { queuedAfterBacklog: number; drainSeconds: number };
  /** Approve click sent → the vendor receiving the change, one request at a time, once idle. */
  approveToVendor: Spread & { steps: { toOwnAccess: Spread; toReread: Spread; toPatch: Spread } };
}

export async function soak(
  total: number,
  firstCheckpoint: number,
  concurrency: number,
  embedded = false,
): Promise<SoakFigures> {
  const database = embedded ? undefined : await openTestDatabase({ poolSize: 4 });
  if (database && database.kind !== "postgres")
    throw new Error("the soak needs the PostgreSQL server: the built process connects to it");
  const slack = new FakeSlackApi(BOT_TOKEN);
  const dolfin = new FakeDolfin("org-acme");
  dolfin.pageSize = 50;
  for (let i = 0; i < total; i++) dolfin.addUser(`u-${i}`, `p${i}@example.com`, "Member");
  slack.users.set(APPROVER, "approver@example.com");
  slack.users.set(REQUESTER, "requester@example.com");
  await Promise.all([slack.start(), dolfin.start()]);
  const rolegate = await startBuiltRolegate({
    databaseUrl: database?.url,
    slack,
    // One requester files all 10,000 requests: far past the default per-person limits.
    config: `approvalChannel: C0APPROVALS\napprovers: { users: [${APPROVER}] }\nlimits: { openPerRequester: 100000, filedPerHour: 100000 }\ntargets:\n  dolfin-acme: { vendor: dolfin, organization: org-acme, baseUrl: "${dolfin.origin}", tokenEnv: DOLFIN_KEY }\n`,
    // The soak measures memory, not Slack's pace (the burst bench does): one requester gets
    // every DM, which at one a second per channel would leave most of them queued.
    env: { DOLFIN_KEY, SLACK_CHANNEL_PACE_MS: "0" },
  }).catch(async (error: unknown) => {
    await Promise.all([slack.stop(), dolfin.stop(), database?.drop()]);
    throw error;
  });
  try {
    const { origin } = rolegate;
    const replies = new RepliesByUrl(slack);

    // Read from the process's own /metrics, as an operator would: the embedded database is the
    // process's alone.
    const metric = async (name: string) => {
      const text = await (await fetch(`${origin}/metrics`)).text();
      return Number(new RegExp(`^${name.replace(/[{}"]/g, (c) => `\\${c}`)} (\\S+)$`, "m").exec(text)?.[1] ?? NaN);
    };
    const queuedNotices = () => metric("rolegate_notice_outbox_depth");
    const outboxEmpty = async () => (await queuedNotices()) === 0;
    /**
     * Files a request for `email` and approves it; resolves with when the approve click was sent.
     * `asPeopleDo`: the click comes once the card is up and the filing's notices are out, as an
     * approver's click comes from the card; the backlog clicks at once, to load the process.
     */
    const fileAndApproveEmail = async (email: string, reason: string, asPeopleDo = false): Promise<number> => {
      const responseUrl = slack.responseUrl();
      await rolegate.command(REQUESTER, `set dolfin-acme ${email} admin ${reason}`, responseUrl);
      const id = filedId(await replies.wait(responseUrl));
      if (asPeopleDo) await waitFor(outboxEmpty, "the card to be posted", 10_000, 20);
      const clickedAt = performance.now();
      await rolegate.click(APPROVER, "rolegate_approve", id);
      return clickedAt;
    };
    const fileAndApprove = (i: number) => fileAndApproveEmail(`p${i}@example.com`, `soak ${i}`);
    const fileAndApproveProbe = (i: number) => fileAndApproveEmail(`probe${i}@example.com`, `probe ${i}`, true);

    const applied = () => metric('rolegate_requests{status="APPLIED"}');
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
        else if (Date.now() - idleSince > 60_000 || rolegate.exited()) {
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
      if (rolegate.exited()) throw new Error(`rolegate exited:\n${rolegate.output().slice(-3_000)}`);
      drivingMs += performance.now() - started;
      checkpoints.push({ requests: upTo, ...(await memory()) });
    }
    const perSecond = total / (drivingMs / 1000);
    if (dolfin.writes().length !== total)
      throw new Error(`expected ${total} vendor writes, saw ${dolfin.writes().length}`);

    // Latency, once the backlog is gone: an approve click to the vendor's PATCH, one at a time.
    // Polled gently, and timed by when the fake Dolfin received the PATCH: the bench shares the
    // machine with rolegate and must not slow it down by looking.
    // How far notices lag behind the changes (3 s after the last change, once memory is read).
    const drainStarted = performance.now();
    const queuedAfterBacklog = await queuedNotices();
    await waitFor(outboxEmpty, "the outbox to drain", 600_000, 500);
    const outbox = { queuedAfterBacklog, drainSeconds: (performance.now() - drainStarted) / 1000 };
    const latencies: number[] = [];
    // Where the time goes, from the fake Dolfin's clock: the decision's own-access lookup (the
    // first GET after the click), the executor's re-read (the last GET before the PATCH), the PATCH.
    const steps = { toOwnAccess: [] as number[], toReread: [] as number[], toPatch: [] as number[] };
    for (let i = 0; i < PROBES; i++) {
      dolfin.addUser(`u-probe-${i}`, `probe${i}@example.com`, "Member");
      const before = dolfin.received.length;
      let seen = before;
      let patchedAt: number | undefined;
      const patched = () => {
        for (; seen < dolfin.received.length && patchedAt === undefined; seen++)
          if (dolfin.received[seen]!.method === "PATCH") patchedAt = dolfin.received[seen]!.at;
        return patchedAt !== undefined;
      };
      const clickedAt = await fileAndApproveProbe(i);
      await waitFor(patched, "the probe's PATCH", 10_000, 20);
      latencies.push(patchedAt! - clickedAt);
      const gets = dolfin.received.slice(before, seen).filter((r) => r.method === "GET" && r.at >= clickedAt);
      if (gets.length >= 2) {
        steps.toOwnAccess.push(gets[0]!.at - clickedAt);
        steps.toReread.push(gets.at(-1)!.at - gets[0]!.at);
        steps.toPatch.push(patchedAt! - gets.at(-1)!.at);
      }
    }
    const spread = (xs: number[]) => ({ p50: percentile(xs, 0.5), p95: percentile(xs, 0.95), max: Math.max(...xs) });
    const approveToVendor = {
      ...spread(latencies),
      steps: {
        toOwnAccess: spread(steps.toOwnAccess),
        toReread: spread(steps.toReread),
        toPatch: spread(steps.toPatch),
      },
    };
    return { checkpoints, perSecond, outbox, approveToVendor };
  } finally {
    await rolegate.stop();
    await Promise.all([slack.stop(), dolfin.stop()]);
    await database?.drop();
  }
}
