// Keeps an executor's lease alive while it works on a request, so the lease itself can be short
// and a request whose process was killed mid-call is taken over within seconds. A heartbeat
// renews the lease every third of its length (against the database's clock); the attempt's
// signal aborts the vendor call when a renewal says another executor has the work, or when no
// renewal has succeeded for most of a lease (the database is unreachable): past that point the
// lease may have run out and another executor may be calling, so we must not.
import type { ClaimedJob, WorkQueue } from "../requests/store/work-queue.js";

/** How much of a lease may pass without a successful renewal before the attempt stops. */
const SAFE_FRACTION = 0.8;

export class LeaseLost extends Error {
  override readonly name = "LeaseLost";
}

export class LeaseKeeper {
  private readonly controller = new AbortController();
  private heartbeat: NodeJS.Timeout | undefined;
  private deadline: NodeJS.Timeout | undefined;

  constructor(
    private readonly queue: Pick<WorkQueue, "renewLease">,
    private readonly job: ClaimedJob,
    private readonly leaseMs: number,
  ) {}

  /** Aborted when the lease is lost or may have run out. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Starts the heartbeat; the lease was granted just now, by the claim. */
  start(): void {
    this.armDeadline();
    this.heartbeat = setInterval(() => void this.renew(), Math.max(50, Math.floor(this.leaseMs / 3)));
  }

  stop(): void {
    clearInterval(this.heartbeat);
    clearTimeout(this.deadline);
  }

  /** Renews now; false when the lease is gone (the signal is then aborted). */
  async renew(): Promise<boolean> {
    try {
      return await this.renewWith((leaseMs) => this.queue.renewLease(this.job, leaseMs));
    } catch {
      return !this.signal.aborted; // the database did not answer: the deadline decides
    }
  }

  /**
   * Renews by a write of the caller's that extends the lease as renewLease does (and answers
   * false when it is gone), so a write the attempt needs anyway renews it in the same commit.
   */
  async renewWith(write: (leaseMs: number) => Promise<boolean>): Promise<boolean> {
    if (this.signal.aborted) return false;
    const sentAt = Date.now();
    const held = await write(this.leaseMs);
    if (!held) {
      this.lose("another executor holds this request now");
      return false;
    }
    // Counted from when the renewal was sent: the database granted it no earlier than that.
    this.armDeadline(sentAt);
    return true;
  }

  private armDeadline(from = Date.now()): void {
    clearTimeout(this.deadline);
    const wait = Math.max(1, from + this.leaseMs * SAFE_FRACTION - Date.now());
    this.deadline = setTimeout(() => this.lose("the lease could not be renewed in time"), wait);
  }

  private lose(why: string): void {
    this.stop();
    if (!this.signal.aborted) this.controller.abort(new LeaseLost(why));
  }
}
