// The inventory's own loop: every poll, take the lease of a due target nobody is syncing and sync
// it — one at a time, for memory, except that a slow sync gives its slot up, so a slow or failing
// vendor holds up no other. It runs beside the executor, never in its way: a sync waits between
// pages while approved changes are applied.
import { syncIntervalOf, type RolegateConfig } from "../config/file.js";
import type { Logger } from "../logger.js";
import { PollingLoop } from "../polling-loop.js";
import type { InventorySync, SyncReport } from "./inventory-sync.js";
import type { LedgerStore } from "./store/ledger-store.js";

/** A replica that restarts within this of a sync does not sync again at start. */
const RECENT_MS = 5 * 60_000;
/**
 * Syncs one process runs at once, slow ones aside. A sync holds its organization's listing and
 * ledger in memory and allocates as fast as its vendor answers: four of 10,000 members at once
 * took the process to 167 MB (npm run bench -- --inventory), two to 157, one at a time to 140,
 * within the 150 it holds under load — and as fast in all, on two cores.
 */
const MAX_CONCURRENT = 1;
/**
 * A sync running longer than this is slow (a vendor rate-limiting or stalling): it no longer
 * takes a slot, so the other targets go on. A slow sync allocates little; it mostly waits.
 */
const SLOW_AFTER_MS = 30_000;

export interface InventoryLoopDeps {
  store: LedgerStore;
  sync: InventorySync;
  config: Pick<RolegateConfig, "targets" | "inventory">;
  logger: Logger;
  leaseMs: number;
  pollMs?: number;
  owner: string;
  maxConcurrent?: number;
  slowAfterMs?: number;
  /** Told of every sync's end: metrics, the digest, whoever asked for it. */
  onSynced?: (report: SyncReport) => void;
  onFailed?: (target: string, error: unknown) => void;
}

export class InventoryLoop {
  readonly owner: string;
  private readonly loop: PollingLoop;
  private readonly running = new Map<string, { done: Promise<void>; startedAt: number }>();
  private readonly stopping = new AbortController();
  /** The first tick makes every target due (the first sync is at start); a tick that failed tries again. */
  private scheduled = false;

  constructor(private readonly deps: InventoryLoopDeps) {
    this.owner = deps.owner;
    this.loop = new PollingLoop(() => this.tick(), deps.pollMs ?? 10_000, deps.logger, "inventory tick");
  }

  /** The targets whose inventory is on. */
  get targets(): string[] {
    return [...this.deps.config.targets.values()]
      .filter((t) => syncIntervalOf(this.deps.config, t) !== null)
      .map((t) => t.name);
  }

  start(): void {
    this.loop.start();
  }

  /** Stops claiming; syncs under way are aborted, write nothing, and give their leases back. */
  async stop(): Promise<void> {
    this.stopping.abort(new Error("rolegate is stopping"));
    await this.loop.stop();
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
  }

  /** A sync was asked for: look now rather than at the next poll. */
  wake(): void {
    this.loop.wake();
  }

  /** Claims what is due and starts it; resolves once started, not once done. */
  async tick(): Promise<boolean> {
    if (!this.scheduled) {
      await this.deps.store.scheduleAtStart(this.targets, RECENT_MS);
      this.scheduled = true;
    }
    const free = this.targets.filter((t) => !this.running.has(t));
    const slowAfter = this.deps.slowAfterMs ?? SLOW_AFTER_MS;
    const busy = [...this.running.values()].filter((r) => performance.now() - r.startedAt < slowAfter).length;
    const slots = (this.deps.maxConcurrent ?? MAX_CONCURRENT) - busy;
    const claims = await this.deps.store.claimDue(free, this.owner, this.deps.leaseMs, slots);
    for (const claim of claims) {
      const run = this.deps.sync
        .run(claim, this.stopping.signal)
        .then(
          (report) => this.deps.onSynced?.(report),
          async (error: unknown) => {
            if (this.stopping.signal.aborted) await this.deps.store.release(claim).catch(() => undefined);
            else {
              this.deps.logger.error("inventory sync failed", { target: claim.target, error });
              this.deps.onFailed?.(claim.target, error);
              // The lease runs out and the target is taken up again at a later poll.
            }
          },
        )
        .finally(() => {
          this.running.delete(claim.target);
          this.loop.wake(); // a slot is free: another due target may be waiting for it
        });
      this.running.set(claim.target, { done: run, startedAt: performance.now() });
    }
    return false;
  }

  /** Resolves when every sync started so far has ended (tests and the bench). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()].map((r) => r.done));
  }
}
