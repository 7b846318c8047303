// Delivers the outbox: each queued notice is rendered from the request as committed now and
// handed to the Notifier (Slack). A Slack that is down or slow delays notices, never role
// changes: nothing that changes a role waits on this. A notice Slack did not take is tried
// again with a growing pause; one Slack refuses for good (an error no retry fixes), or that
// could not be delivered for a day, is given up on and logged, so it never blocks the
// request's later notices. A notice Slack cannot take yet (its channel's pace, a 429) steps
// aside until its turn without counting as a try, so one busy channel never holds up the rest.
// Delivery is at least once: a crash between Slack taking a notice and it being marked done
// sends it again.
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type { Logger } from "../logger.js";
import { PollingLoop } from "../polling-loop.js";
import { DeliverLater, type Notifier } from "./notifier.js";
import type { Outbox, QueuedNotice } from "./store/outbox.js";
import type { RequestRepo } from "./store/request-repo.js";

export interface NoticeDispatcherDeps {
  outbox: Pick<Outbox, "claimDue" | "delivered" | "failed" | "later">;
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
}

/** How many notices one tick claims; each is delivered before the next. */
const BATCH = 20;
/** How long a claim holds a notice; a dispatcher that died lets it go after this. */
const CLAIM_MS = 60_000;
/** Tries for a notice Slack refuses for good before it is given up on. */
const PERMANENT_TRIES = 3;

export class NoticeDispatcher {
  private readonly owner: string;
  private readonly loop: PollingLoop;

  constructor(private readonly deps: NoticeDispatcherDeps) {
    this.owner = deps.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}:notices`;
    this.loop = new PollingLoop(async () => (await this.deliverDue()) > 0, deps.pollMs ?? 1_000, deps.logger, "notice delivery");
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** A notice was queued: deliver it now rather than at the next poll. */
  wake(): void {
    this.loop.wake();
  }

  /** Delivers what is due now, once; returns how many notices were tried. */
  async deliverDue(): Promise<number> {
    // Once a batch, not before every notice: under a steady stream of approvals the executor is
    // woken all the time, and the outbox would fall ever further behind. Again after the claim:
    // a decision committed while it ran has its notice in this batch.
    await this.deps.callsFirst?.();
    const due = await this.deps.outbox.claimDue(this.owner, BATCH, CLAIM_MS);
    if (due.length > 0) await this.deps.callsFirst?.();
    for (const notice of due) await this.deliver(notice);
    return due.length;
  }

  /** Delivers until nothing is due (tests, and a graceful stop). */
  async drain(): Promise<void> {
    while ((await this.deliverDue()) > 0);
  }

  private async deliver(notice: QueuedNotice): Promise<void> {
    const { outbox, repo, notifier, logger } = this.deps;
    try {
      const request = await repo.find(notice.requestId);
      if (!request) throw new Error(`request ${notice.requestId} is gone`);
      await notifier.notify({ type: notice.type, request, actor: notice.actor, deliveryId: String(notice.id) });
      await outbox.delivered(notice, this.owner);
    } catch (error) {
      if (error instanceof DeliverLater) {
        this.deps.noticeDeferred?.(notice.type);
        logger.debug("a notice waits for its turn in Slack", { request: notice.requestId, notice: notice.type, afterMs: error.afterMs, why: error.message });
        await outbox.later(notice, this.owner, error.afterMs);
        return;
      }
      this.deps.noticeFailed?.(notice.type);
      const tries = notice.attempts + 1;
      const permanent = notifier.isPermanent?.(error) ?? false;
      const giveUp = (permanent && tries >= PERMANENT_TRIES) || Date.now() - notice.createdAt.getTime() > (this.deps.giveUpAfterMs ?? 86_400_000);
      const retryInMs = Math.min(this.deps.maxRetryMs ?? 300_000, (this.deps.firstRetryMs ?? 1_000) * 2 ** (tries - 1));
      logger[giveUp ? "error" : "warn"](giveUp ? "gave up on a notice" : "could not deliver a notice; it will be tried again", {
        request: notice.requestId,
        notice: notice.type,
        tries,
        error,
      });
      await outbox.failed(notice, this.owner, error instanceof Error ? error.message : String(error), retryInMs, giveUp);
    }
  }
}
