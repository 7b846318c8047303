// npm run bench: how fast requests are filed, approved and applied, and what that costs in
// memory. Runs against a fresh PostgreSQL database on the test server when one answers, else
// the embedded PGlite; vendors are the in-memory test double, so the figures are rolegate's own.
import { performance } from "node:perf_hooks";
import { benchAudit } from "./audit.js";
import { benchGrantEnds } from "./grants.js";
import { benchParts } from "./parts.js";
import { benchHistory } from "./history.js";
import { benchInventory } from "./inventory.js";
import { burst } from "./burst.js";
import { chaos } from "./chaos.js";
import { soak } from "./soak.js";
import { row, timed } from "./timing.js";
import { parseConfig } from "../src/config/file.js";
import { NoticeDispatcher } from "../src/requests/notice-dispatcher.js";
import { SENT } from "../src/requests/notifier.js";
import { Outbox } from "../src/requests/store/outbox.js";
import { systemClock } from "../src/clock.js";
import { openTestDatabase, quietLogger } from "../test/support/database.js";
import { FakeConnector } from "../test/support/fake-connector.js";

const N = Number(process.env.BENCH_REQUESTS ?? 500);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const GRANTS = Number(process.env.BENCH_GRANTS ?? 1_000);

const config = parseConfig(
  `
approvalChannel: C0BENCH01
approvers: { users: [U0APPROVE] }
executor: { maxAttempts: 3, lease: 1m }
# One requester files every request: the per-person limits are not what is measured here.
limits: { openPerRequester: 10000, filedPerHour: 10000 }
targets:
  bench: { vendor: dolfin, organization: org-bench, tokenEnv: BENCH_TOKEN }
`,
  "bench",
  { BENCH_TOKEN: "bench-token-value" },
);

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

async function main(): Promise<void> {
  const database = await openTestDatabase({ poolSize: CONCURRENCY });
  const vendor = new FakeConnector(config.targets.get("bench")!);
  for (let i = 0; i < N; i++) vendor.addMember(`usr_${i}`, `p${i}@example.com`, "member");

  const { repo, filing, service, drain } = benchParts(database, config, vendor, systemClock, ["a", "b"]);

  global.gc?.();
  const before = process.memoryUsage();
  const ids: string[] = [];

  const filingTimes = await timed(N, CONCURRENCY, async (i) => {
    const result = await filing.record({
      kind: "SET_ROLE",
      target: "bench",
      requestedRole: { id: "admin", name: "Admin" },
      reason: "benchmark",
      requesterId: "U0REQUEST",
      members: [
        { ref: `p${i}@example.com`, email: `p${i}@example.com`, vendorUserId: `usr_${i}`, roleWhenFiled: "Member" },
      ],
    });
    if (!result.ok) throw new Error(result.refusal.message);
    ids[i] = result.value.id;
  });

  const approving = await timed(N, CONCURRENCY, async (i) => {
    const result = await service.approve(ids[i]!, "U0APPROVE");
    if (!result.ok) throw new Error(result.refusal.message);
  });

  // Two executors draining side by side, as two rolegate processes would.
  const started = performance.now();
  await drain();
  const applySeconds = (performance.now() - started) / 1000;

  // The outbox: every notice those changes queued, delivered to a Slack that answers at once.
  const notices = new NoticeDispatcher({
    outbox: new Outbox(database.prisma),
    repo,
    notifier: { notify: async () => SENT },
    logger: quietLogger,
  });
  const queued = await database.prisma.notice.count({ where: { doneAt: null } });
  const deliverStarted = performance.now();
  await notices.drain();
  const deliverSeconds = (performance.now() - deliverStarted) / 1000;
  const after = process.memoryUsage();

  const applied = await database.prisma.roleRequest.count({ where: { status: "APPLIED" } });
  if (applied !== N || vendor.calls.length !== N)
    throw new Error(`expected ${N} applied with ${N} calls, got ${applied} and ${vendor.calls.length}`);

  const grants = await benchGrantEnds(database, config, GRANTS, CONCURRENCY);
  process.stdout.write(
    [
      `rolegate bench: ${N} requests on ${database.kind === "postgres" ? "PostgreSQL" : "embedded PGlite"}, ${CONCURRENCY} concurrent callers`,
      "",
      "| operation | throughput | p50 | p95 | p99 |",
      "|---|---|---|---|---|",
      row("file a request", filingTimes),
      row("approve (one of one)", approving),
      `| apply (2 executors, claim → re-read → call → record) | ${(N / applySeconds).toFixed(0)}/s | | | |`,
      `| deliver notices (${queued} queued: filed, approved, applying, applied) | ${(queued / deliverSeconds).toFixed(0)}/s | | | |`,
      `| revert ${grants.grants} grants ending in the same minute (2 executors; each once: ${grants.vendorCalls} vendor calls) | ${grants.revertsPerSecond.toFixed(0)}/s | all in ${grants.revertSeconds.toFixed(1)} s | | |`,
      "",
      `memory: rss ${mb(before.rss)} → ${mb(after.rss)} MB, heap used ${mb(before.heapUsed)} → ${mb(after.heapUsed)} MB`,
      "",
    ].join("\n"),
  );
  await database.drop();
}

if (process.argv.includes("--audit")) {
  const f = await benchAudit(Number(process.env.AUDIT_EVENTS ?? 1_000_000));
  process.stdout.write(
    [
      `rolegate audit bench: GET /audit/events of ${f.events} events (seeded in ${f.seedSeconds.toFixed(0)} s) from node dist/main.js on PostgreSQL; RSS before: ${f.idleRssMb.toFixed(1)} MB`,
      "",
      "| format | lines | size | time | events/s | peak RSS while streaming |",
      "|---|---|---|---|---|---|",
      ...f.exports.map(
        (e) =>
          `| ${e.format} | ${e.lines} | ${e.megabytes.toFixed(0)} MB | ${e.seconds.toFixed(1)} s | ${(f.events / e.seconds).toFixed(0)} | ${e.peakRssMb.toFixed(1)} MB |`,
      ),
      "",
    ].join("\n"),
  );
  if (f.exports.some((e) => e.peakRssMb > 150 || e.lines < f.events)) process.exitCode = 1;
} else if (process.argv.includes("--inventory")) {
  const f = await benchInventory(Number(process.env.INVENTORY_MEMBERS ?? 10_000));
  const fewest = (vendor: string) => Math.ceil(f.members / (vendor === "Devin" ? 200 : 100));
  process.stdout.write(
    [
      `rolegate inventory bench: node dist/main.js on PostgreSQL, four targets of ${f.members} members each (one per vendor's HTTP fake), synced at start`,
      "",
      "| target | vendor | members in the ledger | list calls | fewest the page size allows | sync time | outcome |",
      "|---|---|---|---|---|---|---|",
      ...f.syncs.map(
        (s) =>
          `| ${s.target} | ${s.vendor} | ${s.members} | ${s.calls} | ${fewest(s.vendor)} | ${s.seconds.toFixed(1)} s | ${s.outcome} |`,
      ),
      "",
      `RSS after the four baselines: ${f.rssAfterBaselineMb.toFixed(1)} MB; after the 100 changes: ${f.rssAfterChangesMb.toFixed(1)} MB (allowed: 150 MB)`,
      `100 members made Owner at the vendor → /role sync: ${f.changes.found} changes outside rolegate found, ${f.changes.cards} card(s) posted, in ${f.changes.seconds.toFixed(1)} s`,
      "",
    ].join("\n"),
  );
  if (
    f.changes.cards !== 1 ||
    Math.max(f.rssAfterBaselineMb, f.rssAfterChangesMb) > 150 ||
    f.syncs.some((s) => s.calls > fewest(s.vendor) || s.members !== f.members)
  )
    process.exitCode = 1;
} else if (process.argv.includes("--history")) {
  const figures = await benchHistory(
    Number(process.env.HISTORY_ROWS ?? 1_000_000),
    Number(process.env.HISTORY_RUNS ?? 200),
  );
  process.stdout.write(
    [
      `rolegate history bench: ${figures.rows} requests stored (seeded in ${figures.seedSeconds.toFixed(0)} s), newest 10 of each filter`,
      "",
      "| /role history … | p50 | p95 |",
      "|---|---|---|",
      ...figures.lines.map((l) => `| ${l.name} | ${l.p50.toFixed(1)} ms | ${l.p95.toFixed(1)} ms |`),
      "",
    ].join("\n"),
  );
} else if (process.argv.includes("--soak")) {
  const total = Number(process.env.SOAK_REQUESTS ?? 10_000);
  const embedded = process.env.SOAK_DATABASE === "embedded";
  const { checkpoints, perSecond, outbox, approveToVendor } = await soak(
    total,
    Math.min(1_000, total),
    Number(process.env.SOAK_CONCURRENCY ?? 10),
    embedded,
  );
  const [first, last] = [checkpoints[0]!, checkpoints.at(-1)!];
  const growth = (last.rssMb / first.rssMb - 1) * 100;
  process.stdout.write(
    [
      `rolegate soak: node dist/main.js on ${embedded ? "the embedded database (PGlite)" : "PostgreSQL"}, ${total} requests filed by signed /role commands, approved by signed clicks, applied through the Dolfin connector (${perSecond.toFixed(0)}/s end to end)`,
      "",
      "| after | RSS | heap used | heap total |",
      "|---|---|---|---|",
      ...checkpoints.map(
        (c) =>
          `| ${c.requests} requests | ${c.rssMb.toFixed(1)} MB | ${c.heapMb.toFixed(1)} MB | ${c.heapTotalMb.toFixed(1)} MB |`,
      ),
      "",
      `RSS growth from ${first.requests} to ${last.requests}: ${growth.toFixed(1)} % (allowed: 10 %)`,
      `notices still queued 3 s after the last change: ${outbox.queuedAfterBacklog}, all out ${outbox.drainSeconds.toFixed(1)} s later`,
      `approve click → vendor call, one at a time once idle: p50 ${approveToVendor.p50.toFixed(1)} ms, p95 ${approveToVendor.p95.toFixed(1)} ms, max ${approveToVendor.max.toFixed(1)} ms`,
      ...Object.entries({
        "click → own-access lookup": approveToVendor.steps.toOwnAccess,
        "→ the executor's re-read": approveToVendor.steps.toReread,
        "→ the PATCH": approveToVendor.steps.toPatch,
      }).map(
        ([step, s]) => `  ${step}: p50 ${s.p50.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms, max ${s.max.toFixed(1)} ms`,
      ),
      "",
    ].join("\n"),
  );
  if (growth > 10) process.exitCode = 1;
} else if (process.argv.includes("--chaos")) {
  const rows = await chaos();
  const seconds = (s: number | null) => (s === null ? "never (3 min)" : `${s.toFixed(1)} s`);
  process.stdout.write(
    [
      `rolegate chaos: two replicas of node dist/main.js on one PostgreSQL, ${rows[0]?.requests ?? 0}-odd requests filed and approved through each fault`,
      "",
      "| fault | requests | applied | failed | stuck | duplicate vendor calls | duplicate live cards | fault's end → every card right | last click → every card right | a replica exited |",
      "|---|---|---|---|---|---|---|---|---|---|",
      ...rows.map(
        (r) =>
          `| ${r.fault} | ${r.requests} | ${r.applied} | ${r.failed} | ${r.stuck}${r.stuckAs.length ? ` (${r.stuckAs.join(", ")})` : ""} | ${r.duplicateVendorCalls} | ${r.duplicateCards} | ${seconds(r.cardsRightAfterS)} | ${seconds(r.cardsRightAfterLastClickS)} | ${r.exited} |`,
      ),
      "",
    ].join("\n"),
  );
  if (
    rows.some(
      (r) =>
        r.stuck > 0 ||
        r.duplicateVendorCalls > 0 ||
        r.duplicateCards > 0 ||
        r.cardsRightAfterS === null ||
        r.exited === "yes",
    )
  )
    process.exitCode = 1;
} else if (process.argv.includes("--burst")) {
  const f = await burst(Number(process.env.BURST_REQUESTS ?? 1_000), Number(process.env.BURST_SECONDS ?? 60));
  const ms = (s: { p50: number; p95: number; max: number }) =>
    `p50 ${s.p50.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms, max ${s.max.toFixed(1)} ms`;
  process.stdout.write(
    [
      `rolegate burst: node dist/main.js on PostgreSQL, ${f.requests} requests filed by signed /role commands over ${f.seconds} s, one approvals channel, a Slack that takes one message a second per channel (429 + Retry-After past that)`,
      "",
      "| measure | figure |",
      "|---|---|",
      `| Slack's ack of each /role command | ${ms(f.ackMs)} |`,
      `| command → "Request … filed" reply | ${ms(f.replyMs)} |`,
      `| requests filed | ${f.filed} of ${f.requests} |`,
      `| cards posted (each once) | ${f.cards} of ${f.requests}, ${f.doubled} doubled |`,
      `| last card posted | ${f.lastCardSeconds.toFixed(0)} s after the burst began |`,
      `| posts Slack refused with 429 | ${f.rateLimited} |`,
      `| an earlier request approved mid-burst: click → vendor call | ${f.approvalToVendorMs.toFixed(1)} ms |`,
      `| … click → its requester's "Done" DM | ${f.approvalToDmMs.toFixed(0)} ms |`,
      `| RSS at the end | ${f.rssMb.toFixed(1)} MB |`,
      "",
    ].join("\n"),
  );
  if (f.cards !== f.requests || f.doubled > 0 || f.ackMs.max >= 3_000) process.exitCode = 1;
} else {
  await main();
}
