// npm run bench -- --burst: 1,000 requests filed in one minute, against a Slack that takes one
// message per second per channel and answers 429 with Retry-After past that — as Slack does.
// The built process (as `npm start` runs it) is driven by signed /role commands from 50
// people; every card goes to the one approvals channel. Measured: Slack's ack for each command
// and the "filed" reply, that every card is posted exactly once and when the last one is, how
// often Slack had to refuse a post, and — in the middle of the burst — how long an approval of
// an earlier request takes to reach the vendor and its requester, which must not wait behind
// the burst's cards.
import { performance } from "node:perf_hooks";
import { openTestDatabase } from "../test/support/database.js";
import { DOLFIN_KEY, FakeDolfin } from "../test/support/fake-vendors/dolfin.js";
import { FakeSlackApi } from "../test/support/fake-slack-api.js";
import { BOT_TOKEN, filedId, RepliesByUrl, startBuiltRolegate } from "./built-process.js";
import { percentile } from "./timing.js";

const APPROVER = "U0APPROVE";
const PROBE_REQUESTER = "U0PROBE";
const REQUESTERS = 50;
const CHANNEL = "C0APPROVALS";

export interface BurstFigures {
  requests: number;
  seconds: number;
  ackMs: { p50: number; p95: number; max: number };
  replyMs: { p50: number; p95: number; max: number };
  filed: number;
  cards: number;
  doubled: number;
  lastCardSeconds: number;
  rateLimited: number;
  /** The earlier request approved mid-burst: click → vendor PATCH, and click → its "Done" DM. */
  approvalToVendorMs: number;
  approvalToDmMs: number;
  rssMb: number;
}

export async function burst(requests: number, seconds: number): Promise<BurstFigures> {
  const database = await openTestDatabase({ poolSize: 4 });
  if (database.kind !== "postgres")
    throw new Error("the burst bench needs the PostgreSQL server: the built process connects to it");
  const slack = new FakeSlackApi(BOT_TOKEN);
  slack.postsPerSecond = 1;
  const dolfin = new FakeDolfin("org-acme");
  dolfin.pageSize = 50;
  for (let i = 0; i < requests; i++) dolfin.addUser(`u-${i}`, `p${i}@example.com`, "Member");
  dolfin.addUser("u-probe", "probe@example.com", "Member");
  slack.users.set(APPROVER, "approver@example.com");
  await Promise.all([slack.start(), dolfin.start()]);
  const rolegate = await startBuiltRolegate({
    databaseUrl: database.url!,
    slack,
    // 50 people filing 20 requests each in a minute: more than the default per-person limits allow.
    config: `approvalChannel: ${CHANNEL}\napprovers: { users: [${APPROVER}] }\nlimits: { openPerRequester: 10000, filedPerHour: 10000 }\ntargets:\n  dolfin-acme: { vendor: dolfin, organization: org-acme, baseUrl: "${dolfin.origin}", tokenEnv: DOLFIN_KEY }\n`,
    env: { DOLFIN_KEY },
  }).catch(async (error: unknown) => {
    await Promise.all([slack.stop(), dolfin.stop(), database.drop()]);
    throw error;
  });
  try {
    const replies = new RepliesByUrl(slack);
    const cardsOf = () => slack.messagesIn(CHANNEL).filter((m) => m.text.includes("Role change "));
    const until = async (what: string, condition: () => boolean, timeoutMs: number) => {
      for (const deadline = Date.now() + timeoutMs; !condition(); await sleep(250)) {
        if (Date.now() > deadline || rolegate.exited())
          throw new Error(`timed out waiting for ${what}; rolegate said:\n${rolegate.output().slice(-3_000)}`);
      }
    };

    // An earlier request, its card already posted: it is approved in the middle of the burst.
    const probeReply = slack.responseUrl();
    await rolegate.command(PROBE_REQUESTER, "set dolfin-acme probe@example.com admin approved mid-burst", probeReply);
    const probe = filedId(await replies.wait(probeReply));
    await until("the earlier request's card", () => cardsOf().length === 1, 10_000);

    const acks: number[] = [];
    const replyTimes: number[] = [];
    const ids: string[] = [];
    const started = performance.now();
    const spacingMs = (seconds * 1_000) / requests;
    const filing = Array.from({ length: requests }, async (_, i) => {
      await sleep(i * spacingMs - (performance.now() - started));
      const responseUrl = slack.responseUrl();
      const sent = performance.now();
      await rolegate.command(
        `U0REQ${String(i % REQUESTERS).padStart(3, "0")}`,
        `set dolfin-acme p${i}@example.com admin burst ${i}`,
        responseUrl,
      );
      acks.push(performance.now() - sent);
      ids.push(filedId(await replies.wait(responseUrl)));
      replyTimes.push(performance.now() - sent);
    });
    const approving = (async () => {
      await sleep(seconds * 500);
      const writes = dolfin.writes().length;
      const clicked = performance.now();
      await rolegate.click(APPROVER, "rolegate_approve", probe);
      await until("the earlier request's PATCH", () => dolfin.writes().length > writes, 30_000);
      const patched = dolfin.writes().at(-1)!.at - clicked;
      const clickedAt = Date.now() - (performance.now() - clicked);
      await until(
        "the earlier request's Done DM",
        () => slack.messagesIn(`D${PROBE_REQUESTER.slice(1)}`).some((m) => m.text.startsWith("Done:")),
        60_000,
      );
      const dm = slack.messagesIn(`D${PROBE_REQUESTER.slice(1)}`).find((m) => m.text.startsWith("Done:"))!;
      return { patched, dm: dm.postedAt - clickedAt };
    })();
    await Promise.all(filing);
    const approval = await approving;

    // Slack's pace, not rolegate's: one card a second, so about `requests` seconds in all.
    await until("every card", () => cardsOf().length >= requests + 1, requests * 1_500 + 120_000);
    const lastCardSeconds = (performance.now() - started) / 1000;
    const cards = cardsOf();
    const perRequest = new Map<string, number>();
    for (const card of cards) {
      const id = /Role change ([0-9A-Z]{6})/.exec(card.text)?.[1] ?? "?";
      perRequest.set(id, (perRequest.get(id) ?? 0) + 1);
    }
    const metrics = await (await fetch(`${rolegate.origin}/metrics`)).text();
    const stat = (values: number[]) => ({
      p50: percentile(values, 0.5),
      p95: percentile(values, 0.95),
      max: Math.max(...values),
    });
    return {
      requests,
      seconds,
      ackMs: stat(acks),
      replyMs: stat(replyTimes),
      filed: ids.length,
      cards: ids.filter((id) => perRequest.has(id)).length,
      doubled: [...perRequest.values()].filter((n) => n > 1).length,
      lastCardSeconds,
      rateLimited: slack.rateLimited,
      approvalToVendorMs: approval.patched,
      approvalToDmMs: approval.dm,
      rssMb: Number(/^rolegate_process_resident_memory_bytes (\S+)$/m.exec(metrics)?.[1] ?? NaN) / 1024 / 1024,
    };
  } finally {
    await rolegate.stop();
    await Promise.all([slack.stop(), dolfin.stop()]);
    await database.drop();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
