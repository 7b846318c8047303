// Notices are claimed like requests: for the lease, by the database's clock, kept by a heartbeat
// while a batch is delivered. A dispatcher that died lets its notices go within one lease; a
// database blip neither loses the rest of a batch nor sends a notice twice.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SENT, type Delivery, type Notice, type Notifier } from "../../src/requests/notifier.js";
import { NoticeDispatcher } from "../../src/requests/notice-dispatcher.js";
import { Outbox } from "../../src/requests/store/outbox.js";
import { quietLogger, useProxiedDatabase } from "../support/database.js";
import { waitFor } from "../support/wait.js";
import { buildWorld, type World } from "../support/world.js";

const t = useProxiedDatabase("the database server is made unreachable under the notice dispatcher");
let world: World;
const running: NoticeDispatcher[] = [];

beforeEach(() => {
  world = buildWorld(t.database);
});
afterEach(async () => {
  await t.database.proxy.start();
  await Promise.all(running.splice(0).map((d) => d.stop()));
});

/** A Slack that records what it was given, and can be made to wait before it answers. */
class SlowSlack implements Notifier {
  readonly delivered: Notice[] = [];
  before: (notice: Notice) => Promise<void> = async () => {};
  async notify(notice: Notice): Promise<Delivery> {
    await this.before(notice);
    this.delivered.push(notice);
    return SENT;
  }
}

function dispatcher(
  slack: Notifier,
  owner: string,
  outbox: Outbox = new Outbox(t.database.prisma),
  claimMs = 400,
): NoticeDispatcher {
  const d = new NoticeDispatcher({
    outbox,
    repo: world.repo,
    notifier: slack,
    logger: quietLogger,
    owner,
    claimMs,
    pollMs: 20,
    firstRetryMs: 50,
  });
  running.push(d);
  return d;
}

/** Files `n` requests: each queues its card and the requester's DM. */
async function fileSome(n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await world.file({ reason: `reason ${i}` })).id);
  return ids;
}

const pending = () => t.database.prisma.notice.count({ where: { doneAt: null } });

describe("notice claims", () => {
  it("are taken over within the lease when their dispatcher dies mid-batch, and each notice is delivered", async () => {
    await fileSome(3);
    const total = await pending();
    // The first dispatcher claims the batch, hands Slack one notice and is killed: from then on
    // it never reaches the database again.
    let killed = false;
    const outbox = new Outbox(t.database.prisma);
    const dying = new Proxy(outbox, {
      get: (target, name) => {
        const value = Reflect.get(target, name) as unknown;
        if (typeof value !== "function") return value;
        return (...args: unknown[]) =>
          killed ? new Promise(() => {}) : (value as (...a: unknown[]) => unknown).apply(target, args);
      },
    });
    const doomedSlack = new SlowSlack();
    doomedSlack.before = async () => {
      killed = true;
      await new Promise(() => {});
    };
    void dispatcher(doomedSlack, "dies", dying).deliverDue();
    running.pop(); // never stops: it is dead
    await waitFor(() => killed, "the first dispatcher to claim and die");

    const survivor = new SlowSlack();
    const started = Date.now();
    dispatcher(survivor, "survives").start();
    await waitFor(async () => (await pending()) === 0, "every notice delivered by the survivor", 5_000);
    expect(Date.now() - started).toBeLessThan(2_000); // the lease (400 ms), not a fixed minute
    expect(survivor.delivered).toHaveLength(total);
    // Each may have reached Slack before the death: a card it posts is looked for first.
    expect(survivor.delivered.every((n) => n.triedBefore)).toBe(true);
  });

  it("are kept by a heartbeat while a slow batch outlasts the lease: no other dispatcher sends them again", async () => {
    await fileSome(3);
    const total = await pending();
    const slow = new SlowSlack();
    slow.before = () => new Promise((resolve) => setTimeout(resolve, 250)); // six notices: 1.5 s, past the 400 ms lease
    const other = new SlowSlack();
    const first = dispatcher(slow, "slow");
    const batch = first.deliverDue();
    await waitFor(
      async () => (await t.database.prisma.notice.count({ where: { claimedBy: "slow" } })) > 0,
      "the slow batch to be claimed",
    );
    dispatcher(other, "other").start();
    await batch;
    await waitFor(async () => (await pending()) === 0, "every notice delivered");
    expect(slow.delivered.length + other.delivered.length).toBe(total);
    expect([...slow.delivered, ...other.delivered].every((n) => !n.triedBefore)).toBe(true);
    expect(other.delivered.filter((n) => slow.delivered.some((s) => s.deliveryId === n.deliveryId))).toEqual([]);
  });

  it("survive a database outage between Slack's answer and its record: the batch goes on once the database is back, each notice sent once", async () => {
    await fileSome(3);
    const total = await pending();
    const slack = new SlowSlack();
    let outage = true;
    slack.before = async () => {
      if (!outage) return;
      outage = false;
      await t.database.proxy.stop();
      setTimeout(() => void t.database.proxy.start(), 300);
    };
    dispatcher(slack, "blip", new Outbox(t.database.prisma), 2_000).start(); // records are retried for half of it
    await waitFor(async () => (await pending().catch(() => -1)) === 0, "every notice delivered", 3_000, 50);
    expect(slack.delivered).toHaveLength(total);
    expect(new Set(slack.delivered.map((n) => n.deliveryId)).size).toBe(total);
  });
});

describe("a Slack that is down", () => {
  it("is tried once a poll, not once for every notice, and every card catches up as soon as it is back", async () => {
    await fileSome(3);
    const total = await pending();
    const slack = new SlowSlack();
    let tries = 0;
    let down = true;
    slack.before = async () => {
      tries++;
      if (down)
        throw Object.assign(new Error("An HTTP protocol error occurred: statusCode = 503"), {
          code: "slack_webapi_http_error",
        });
    };
    const d = dispatcher(slack, "one");
    expect(await d.deliverDue()).toBe(1); // one try, and the rest of the batch waits
    expect(tries).toBe(1);
    expect(await pending()).toBe(total);

    down = false;
    expect(await d.deliverDue()).toBeGreaterThan(0); // a notice that had not been tried yet goes…
    await waitFor(async () => (await d.deliverDue()) === 0 && (await pending()) === 0, "every notice delivered", 2_000); // …and pulls the failed one forward
    expect(new Set(slack.delivered.map((n) => n.deliveryId)).size).toBe(total);
  });
});
