// Posts each sync's card of changes outside rolegate to the target's approval channel, and
// redraws it after every decision: a loop of its own, like the notices' outbox, so a sync never
// waits on Slack and a card Slack refused is posted later rather than lost. Cards are claimed
// (against the database's clock) so two replicas never post the same one.
import { approvalChannelFor, type RolegateConfig } from "../config/file.js";
import { doublingDelay } from "../backoff.js";
import type { Logger } from "../logger.js";
import { PollingLoop } from "../polling-loop.js";
import type { AlertCard } from "./outside-changes.js";
import type { AlertStore } from "./store/alert-store.js";

/** Where the cards go: the Slack layer implements it. */
export interface AlertCardPublisher {
  /** Posts a new card; its ts. */
  post(channel: string, card: AlertCard): Promise<string>;
  /** Redraws a posted card in place. */
  update(channel: string, ts: string, card: AlertCard): Promise<void>;
}

export interface AlertDeliveryDeps {
  store: Pick<AlertStore, "claimDue" | "card" | "delivered" | "failed">;
  publisher: AlertCardPublisher;
  config: Pick<RolegateConfig, "approvalChannel" | "targets">;
  logger: Logger;
  owner: string;
  pollMs?: number;
  firstRetryMs?: number;
}

export class AlertDelivery {
  private readonly loop: PollingLoop;

  constructor(private readonly deps: AlertDeliveryDeps) {
    this.loop = new PollingLoop(() => this.runOnce(), deps.pollMs ?? 1_000, deps.logger, "alert cards tick");
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** A card was made or must be redrawn. */
  wake(): void {
    this.loop.wake();
  }

  /** Posts or redraws the due cards; true when there were some. */
  async runOnce(): Promise<boolean> {
    const { store, owner } = this.deps;
    const ids = await store.claimDue(owner, 30_000);
    for (const id of ids) {
      const card = await store.card(id);
      if (!card) continue;
      const channel = card.channel ?? approvalChannelFor(this.deps.config, card.target);
      try {
        let ts = card.ts;
        if (ts) await this.deps.publisher.update(channel, ts, card);
        else ts = await this.deps.publisher.post(channel, card);
        await store.delivered(id, owner, card.dueAt, { channel, ts });
      } catch (error) {
        const retryMs = doublingDelay(card.attempts, this.deps.firstRetryMs ?? 2_000, 10 * 60_000);
        this.deps.logger.warn("Slack did not take a card of changes outside rolegate; it is tried again", {
          target: card.target,
          card: id.toString(),
          retryMs,
          error,
        });
        await store.failed(id, owner, retryMs, error instanceof Error ? error.message : String(error));
      }
    }
    return ids.length > 0;
  }
}
