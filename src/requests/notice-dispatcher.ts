// Delivers the outbox: each queued notice is rendered from the request as committed now and
// handed to the Notifier (Slack). A Slack that is down or slow delays notices, never role
// changes: nothing that changes a role waits on this. A notice Slack did not take is tried
// again with a growing pause; one Slack refuses for good (an error no retry fixes), or that
// could not be delivered for a day, is given up on and logged, so it never blocks the
// request's later notices. A notice Slack cannot take yet (its channel's pace, a 429) steps
// aside until its turn without counting as a try, so one busy channel never holds up the rest.
// Delivery is at least once: a crash between Slack taking a notice and it being marked done
// sends it again.
//
// Notices are claimed like requests: for the executor's lease, by the database's clock, renewed
// by a heartbeat while a batch is being delivered, so a dispatcher that died lets its notices go
// within one lease. A database blip between Slack taking a notice and its record is ridden out
// while the claim holds; past that, the rest of the batch goes back to the queue at once.
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type { Logger } from "../logger.js";
import { doublingDelay } from "../backoff.js";
import { isTransientDatabaseError, retryWhileTransient } from "../db/transient-errors.js";
import { PollingLoop } from "../polling-loop.js";
import type { Notifier } from "./notifier.js";
import type { Outbox, QueuedNotice } from "./store/outbox.js";
import type { RequestRepo } from "./store/request-repo.js";

export interface NoticeDispatcherDeps {
  outbox: Pick<Outbox, "claimDue" | "delivered" | "failed" | "later" | "renew" | "release" | "retryFailedNow">;
  repo: Pick<RequestRepo, "find">;
  notifier: Notifier;
  logger: Logger;
  pollMs?: number;
  /** First pause after a failed delivery; it doubles up to `maxRetryMs`. */
  firstRetryMs?: number;
  maxRetryMs?: number;
  /** How long a notice is tried before it is given up on. */
  giveUpAfterMs?: number;
  owner?: string;
  /** Told of each delivery Slack refused or did not answer (the metrics). */
  noticeFailed?: (type: string) => void;
  /** Told of each notice that stepped aside for Slack's pace (the metrics). */
  noticeDeferred?: (type: string) => void;
  /** Resolves when what goes before notices is on its way: an approval's vendor call (call-first.ts). */
  callsFirst?: () => Promise<void>;
  /** How long a claim holds a notice, renewed while its batch runs: the executor's lease. */
  claimMs?: number;
}

/** How many notices one tick claims; each is delivered before the next. */
const BATCH = 20;
/** The executor's default lease: a dispatcher that died lets its notices go after this. */
const CLAIM_MS = 15_000;
/**
 * The longest pause before a notice is tried again: the lease. Slack is never tried more than once
 * a poll while it fails (a failure ends the batch), so a short pause costs it nothing, and a card
 * is right again within it once Slack is back.
 */
const MAX_RETRY_MS = CLAIM_MS;
/** Tries for a notice Slack refuses for good before it is given up on. */
const PERMANENT_TRIES = 3;

export class NoticeDispatcher {
  private readonly owner: string;
  private readonly loop: PollingLoop;
  private readonly claimMs: number;
  /** A delivery failed since the last success: the next success pulls every failed notice forward. */
  private failing = false;
  private stopping = false;

  constructor(private readonly deps: NoticeDispatcherDeps) {
    this.owner = deps.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}:notices`;
    this.claimMs = deps.claimMs ?? CLAIM_MS;
    // After a batch Slack failed, the loop waits for its next poll rather than try again at once.
    const tick = async () => {
      const batch = await this.deliverBatch();
      return batch.tried > 0 && !batch.slackFailed;
    };
    this.loop = new PollingLoop(tick, deps.pollMs ?? 1_000, deps.logger, "notice delivery");
  }

  start(): void {
    this.loop.start();
  }

  /** Stops after the notice under way: the rest of its batch goes back to the queue for another replica. */
  stop(): Promise<void> {
    this.stopping = true;
    return this.loop.stop();
  }

  /** A notice was queued: deliver it now rather than at the next poll. */
  wake(): void {
    this.loop.wake();
  }

  /** Delivers what is due now, once; returns how many notices were tried. */
  async deliverDue(): Promise<number> {
    return (await this.deliverBatch()).tried;
  }

  private async deliverBatch(): Promise<{ tried: number; slackFailed: boolean }> {
    // Once a batch, not before every notice: under a steady stream of approvals the executor is
    // woken all the time, and the outbox would fall ever further behind. Again after the claim:
    // a decision committed while it ran has its notice in this batch.
    await this.deps.callsFirst?.();
    const { outbox } = this.deps;
    const due = await outbox.claimDue(this.owner, BATCH, this.claimMs);
    if (due.length === 0) return { tried: 0, slackFailed: false };
    await this.deps.callsFirst?.();
    // Notices not yet tried: given back untried when the batch ends early. The one being tried
    // is not: it may have reached Slack, and stays claimed (its claim counted) until recorded.
    const untried = new Set(due.map((n) => n.id));
    const claimed = new Set(untried);
    const heartbeat = setInterval(
      () => void outbox.renew(this.owner, [...claimed], this.claimMs).catch(() => {}),
      Math.max(50, Math.floor(this.claimMs / 3)),
    );
    try {
      let slackFailed = false;
      for (const notice of due) {
        if (this.stopping || slackFailed) break;
        untried.delete(notice.id);
        slackFailed = await this.deliver(notice);
        claimed.delete(notice.id);
      }
      if (untried.size > 0) await outbox.release(this.owner, [...untried]);
      // Slack did not take a notice: the rest of the batch waits for the next poll rather than
      // each one being tried against a Slack that is down. When a try succeeds again, every
      // notice waiting out a pause is pulled forward, so the cards catch up at once.
      return { tried: due.length - untried.size, slackFailed };
    } catch (error) {
      // The database would not take a write: the rest of the batch goes back to the queue now
      // (or, while the database is away, when the claim runs out) rather than sit claimed.
      await outbox.release(this.owner, [...untried]).catch(() => {});
      throw error;
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** Delivers until nothing is due (the tests). */
  async drain(): Promise<void> {
    while ((await this.deliverDue()) > 0);
  }

  /** Delivers one notice; true when Slack failed in a way a later try may not (it is down or slow). */
  private async deliver(notice: QueuedNotice): Promise<boolean> {
    const { outbox, repo, notifier, logger } = this.deps;
    // Slack has acted: its record is tried again while the database is away, for half a claim, so
    // a blip does not send the notice a second time. Past that the batch is released.
    const record = (write: () => Promise<unknown>) =>
      retryWhileTransient(write, AbortSignal.timeout(this.claimMs / 2), (error) =>
        logger.warn("could not record a notice's delivery yet; trying again", { error }),
      );
    try {
      const request = await repo.find(notice.requestId);
      if (!request) throw new Error(`request ${notice.requestId} is gone`);
      const delivery = await notifier.notify({
        type: notice.type,
        request,
        actor: notice.actor,
        deliveryId: String(notice.id),
        triedBefore: notice.claims > 1,
      });
      if (delivery.kind === "later") {
        this.deps.noticeDeferred?.(notice.type);
        logger.debug("a notice waits for its turn in Slack", {
          request: notice.requestId,
          notice: notice.type,
          afterMs: delivery.afterMs,
          why: delivery.why,
        });
        await record(() => outbox.later(notice, this.owner, delivery.afterMs));
        return false;
      }
      await record(() => outbox.delivered(notice, this.owner));
      if (this.failing) {
        this.failing = false;
        await outbox.retryFailedNow().catch(() => {});
      }
      return false;
    } catch (error) {
      // The database, not Slack, failed: nothing to count against the notice.
      if (isTransientDatabaseError(error)) throw error;
      this.failing = true;
      this.deps.noticeFailed?.(notice.type);
      const tries = notice.attempts + 1;
      const permanent = notifier.isPermanent?.(error) ?? false;
      const giveUp =
        (permanent && tries >= PERMANENT_TRIES) ||
        Date.now() - notice.createdAt.getTime() > (this.deps.giveUpAfterMs ?? 86_400_000);
      const retryInMs = doublingDelay(tries, this.deps.firstRetryMs ?? 1_000, this.deps.maxRetryMs ?? MAX_RETRY_MS);
      logger[giveUp ? "error" : "warn"](
        giveUp ? "gave up on a notice" : "could not deliver a notice; it will be tried again",
        {
          request: notice.requestId,
          notice: notice.type,
          tries,
          error,
        },
      );
      await record(() =>
        outbox.failed(notice, this.owner, error instanceof Error ? error.message : String(error), retryInMs, giveUp),
      );
      return !permanent && !giveUp;
    }
  }
}
