// npm run bench -- --chaos: two replicas of the built process on one PostgreSQL, driven as Slack
// drives them (signed commands and clicks, alternating between the replicas), while one fault at
// a time is made for real: a replica SIGKILLed, PostgreSQL's connections terminated or the server
// unreachable for 20 s (a TCP proxy in front of it stops), the vendor refusing connections or
// going silent, Slack's Web API down, Slack carrying out posts whose answers are lost. After each
// fault it waits for every request to settle and reports, per fault: requests, applied, failed,
// stuck, duplicate vendor calls, duplicate live cards, the time from the fault's end until every
// card shows its request's state, and whether a replica exited.
import { performance } from "node:perf_hooks";
import pg from "pg";
import { STATUS_PHRASE } from "../src/requests/refusals.js";
import { ADMIN_URL, openTestDatabase } from "../test/support/database.js";
import { DOLFIN_KEY, FakeDolfin } from "../test/support/fake-vendors/dolfin.js";
import { FakeSlackApi } from "../test/support/fake-slack-api.js";
import { TcpProxy } from "../test/support/tcp-proxy.js";
import { BOT_TOKEN, filedId, RepliesByUrl, startBuiltRolegate, type BuiltRolegate } from "./built-process.js";

const APPROVER = "U0APPROVE";
const REQUESTER = "U0REQUEST";
const APPROVALS = "C0APPROVALS";
/** Requests per fault, filed and approved while the fault is made. */
const PER_FAULT = Number(process.env.CHAOS_REQUESTS ?? 40);

export interface ChaosRow {
  fault: string;
  requests: number;
  applied: number;
  failed: number;
  stuck: number;
  /** Where the stuck ones are: "3 PENDING". */
  stuckAs: string[];
  duplicateVendorCalls: number;
  duplicateCards: number;
  /** Seconds from the fault's end until every card showed its request's state; null: never. */
  cardsRightAfterS: number | null;
  /** The same from the last click of the load, which goes on through the fault (people retrying). */
  cardsRightAfterLastClickS: number | null;
  exited: string;
}

interface World {
  replicas: BuiltRolegate[];
  restart(i: number): Promise<void>;
  database: { proxy: TcpProxy; name: string };
  vendor: TcpProxy;
  slack: FakeSlackApi;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Each fault: made at the start, ended after `holdMs`; what the load does meanwhile is the same. */
const FAULTS: { name: string; holdMs: number; make: (w: World) => Promise<void>; end: (w: World) => Promise<void> }[] =
  [
    // Its end is the kill: what follows is the other replica taking over; the dead one is started again meanwhile.
    {
      name: "replica SIGKILLed (and started again)",
      holdMs: 0,
      make: async (w) => void (await w.replicas[0]!.stop()),
      end: (w) => w.restart(0),
    },
    {
      name: "PostgreSQL connections terminated",
      holdMs: 0,
      make: async (w) => {
        const admin = new pg.Client({ connectionString: ADMIN_URL });
        await admin.connect();
        await admin.query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()",
          [w.database.name],
        );
        await admin.end();
      },
      end: async () => {},
    },
    {
      name: "PostgreSQL unreachable for 20 s",
      holdMs: 20_000,
      make: (w) => w.database.proxy.stop(),
      end: (w) => w.database.proxy.start(),
    },
    {
      name: "vendor refuses connections for 10 s",
      holdMs: 10_000,
      make: (w) => w.vendor.stop(),
      end: (w) => w.vendor.start(),
    },
    {
      name: "vendor silent for 10 s",
      holdMs: 10_000,
      make: async (w) => w.vendor.stall(),
      end: async (w) => w.vendor.stall(false),
    },
    {
      name: "Slack's Web API down for 20 s",
      holdMs: 20_000,
      make: async (w) => void (w.slack.outage = true),
      end: async (w) => void (w.slack.outage = false),
    },
    {
      name: "Slack carries out 10 posts, answers lost",
      holdMs: 5_000,
      make: async (w) => w.slack.loseAnswers("chat.postMessage", 10),
      end: async () => {},
    },
  ];

export async function chaos(): Promise<ChaosRow[]> {
  const database = await openTestDatabase({ poolSize: 4 });
  if (database.kind !== "postgres" || !database.url) throw new Error("the chaos run needs the PostgreSQL server");
  const name = new URL(database.url).pathname.slice(1);
  const dbProxy = await TcpProxy.to("127.0.0.1", Number(new URL(database.url).port || 5432));
  const slack = new FakeSlackApi(BOT_TOKEN);
  const dolfin = new FakeDolfin("org-acme");
  dolfin.pageSize = 50;
  slack.users.set(APPROVER, "approver@example.com");
  slack.users.set(REQUESTER, "requester@example.com");
  await Promise.all([slack.start(), dolfin.start()]);
  const vendor = await TcpProxy.to("127.0.0.1", Number(new URL(dolfin.origin).port));
  const config = [
    `approvalChannel: ${APPROVALS}`,
    `approvers: { users: [${APPROVER}] }`,
    "limits: { openPerRequester: 100000, filedPerHour: 100000 }",
    // Short backoff so a run takes minutes; the lease is the default (15 s).
    "executor: { firstRetryDelay: 2s, maxRetryDelay: 10s, maxAttempts: 10 }",
    "targets:",
    `  dolfin-acme: { vendor: dolfin, organization: org-acme, baseUrl: "${vendor.url(dolfin.origin).replace(/\/$/, "")}", tokenEnv: DOLFIN_KEY }`,
    "",
  ].join("\n");
  const start = () =>
    startBuiltRolegate({
      databaseUrl: dbProxy.url(database.url!),
      slack,
      config,
      env: { DOLFIN_KEY, SLACK_CHANNEL_PACE_MS: "0" },
    });
  const replicas = [await start(), await start()];
  const world: World = {
    replicas,
    restart: async (i) => void (replicas[i] = await start()),
    database: { proxy: dbProxy, name },
    vendor,
    slack,
  };
  const replies = new RepliesByUrl(slack);
  const rows: ChaosRow[] = [];
  let person = 0;
  try {
    for (const fault of FAULTS) {
      const ids: string[] = [];
      const emails: string[] = [];
      const load = async (offset: number) => {
        for (let i = offset; i < PER_FAULT; i += 4) {
          const email = `c${person + i}@example.com`;
          dolfin.addUser(`u-c${person + i}`, email, "Member");
          emails.push(email);
          // A command a dead replica or an outage turned away is typed again, as the person would.
          for (let tries = 0; tries < 60; tries++) {
            const url = slack.responseUrl();
            const filed = await replicas[i % 2]!.command(REQUESTER, `set dolfin-acme ${email} admin chaos`, url)
              .then(() => replies.wait(url))
              .then(filedId, () => null)
              .catch(() => null);
            if (filed) {
              ids.push(filed);
              await approve(filed, (i + 1) % 2);
              break;
            }
            await sleep(1_000);
          }
          await sleep(100);
        }
      };
      // The approver clicks until the click is taken (a click on a dead replica, or one the
      // fault turned away with "click again", is clicked again a second later).
      const approve = async (id: string, first: number) => {
        for (let tries = 0; tries < 120; tries++) {
          await replicas[(first + tries) % 2]!.click(APPROVER, "rolegate_approve", id).catch(() => {});
          await sleep(300);
          const status = (
            await database.prisma.roleRequest.findUnique({ where: { id }, select: { status: true } }).catch(() => null)
          )?.status;
          if (status && status !== "PENDING") return;
          await sleep(700);
        }
      };
      const driving = Promise.all([0, 1, 2, 3].map(load));
      await sleep(1_500);
      await fault.make(world);
      await sleep(fault.holdMs);
      const endedAt = performance.now();
      await fault.end(world);
      await driving;
      const lastClickAt = performance.now();
      person += PER_FAULT;
      const prisma = database.prisma;

      const settled = async () =>
        (await prisma.roleRequest.count({ where: { id: { in: ids }, status: { in: ["APPLIED", "FAILED"] } } })) ===
        ids.length;
      const cardsRight = async () => {
        const requests = await prisma.roleRequest.findMany({
          where: { id: { in: ids } },
          select: { id: true, status: true, cardTs: true },
        });
        return requests.every((r) => {
          const copies = slack.messagesIn(APPROVALS).filter((m) => m.metadata?.event_payload.request === r.id);
          const card = copies.find((m) => m.ts === r.cardTs);
          const live = copies.filter((m) => m.blocks.some((b) => (b as { type: string }).type === "actions"));
          return (
            card !== undefined && card.text.includes(`(${STATUS_PHRASE[r.status]})`) && live.every((m) => m === card)
          );
        });
      };
      let rightAfter: number | null = null;
      let rightAfterLastClick: number | null = null;
      for (const deadline = performance.now() + 180_000; performance.now() < deadline; await sleep(250)) {
        if ((await settled()) && (await cardsRight())) {
          rightAfter = (performance.now() - endedAt) / 1000;
          rightAfterLastClick = (performance.now() - lastClickAt) / 1000;
          break;
        }
      }
      const byStatus = await prisma.roleRequest.groupBy({ by: ["status"], where: { id: { in: ids } }, _count: true });
      const count = (s: string) => byStatus.find((b) => b.status === s)?._count ?? 0;
      const patches = new Map<string, number>();
      for (const w of dolfin.writes()) patches.set(w.path, (patches.get(w.path) ?? 0) + 1);
      const ours = emails.map((e) => `/users/u-${e.split("@")[0]}/role`);
      rows.push({
        fault: fault.name,
        requests: ids.length,
        applied: count("APPLIED"),
        failed: count("FAILED"),
        stuck: ids.length - count("APPLIED") - count("FAILED"),
        stuckAs: byStatus
          .filter((b) => !["APPLIED", "FAILED"].includes(b.status))
          .map((b) => `${b._count} ${b.status}`),
        duplicateVendorCalls: ours.reduce((n, path) => n + Math.max(0, (patches.get(path) ?? 0) - 1), 0),
        duplicateCards: ids.reduce((n, id) => {
          const live = slack
            .messagesIn(APPROVALS)
            .filter(
              (m) =>
                m.metadata?.event_payload.request === id &&
                m.blocks.some((b) => (b as { type: string }).type === "actions"),
            );
          return n + Math.max(0, live.length - 1);
        }, 0),
        cardsRightAfterS: rightAfter,
        cardsRightAfterLastClickS: rightAfterLastClick,
        exited: replicas.filter((r) => r.exited()).length > 0 ? "yes" : "no",
      });
      process.stderr.write(`${JSON.stringify(rows.at(-1))}\n`);
    }
    return rows;
  } finally {
    await Promise.all(replicas.map((r) => r.stop()));
    await Promise.all([slack.stop(), dolfin.stop(), vendor.stop()]);
    await dbProxy.start();
    await database.drop();
    await dbProxy.stop();
  }
}
