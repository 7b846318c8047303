// The vendor call goes first. In one process the executor and the notice dispatcher share the
// event loop, the database pool and, on a small machine, the cores. An approval wakes both at
// the same moment, and the card redraws and DMs it sets off slowed the vendor call the approver
// and the requester are waiting for by about a third (soak probe: p50 29 → 21 ms without them).
// So while an idle executor takes the work a decision gave it (handed over, or woken for) to
// the vendor, the dispatcher waits before its next batch of notices: until the call is under
// way, the executor found nothing to do, or `capMs` has passed. A busy executor holds nothing:
// under a stream of approvals notices must keep up. Notices are delayed by milliseconds, never
// lost: they wait in the outbox.

export class CallFirst {
  private pending: { done: Promise<void>; resolve: () => void } | undefined;

  constructor(private readonly capMs: number) {}

  /** The executor was given work: it goes first. False when a wait was already on. */
  open(): boolean {
    if (this.pending) return false;
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    this.pending = { done, resolve };
    return true;
  }

  /** Its call is under way, or it found nothing to do, or its attempt ended without one. */
  close(): void {
    this.pending?.resolve();
    this.pending = undefined;
  }

  /**
   * Resolves at once when nothing goes first; otherwise once it has, or after capMs at the
   * latest — and then the wait is over for everyone: a vendor read that hangs holds notices
   * back once, not notice after notice.
   */
  clear(): Promise<void> {
    const pending = this.pending;
    if (!pending) return Promise.resolve();
    const cap = setTimeout(() => {
      if (this.pending === pending) this.close();
    }, this.capMs);
    return pending.done.then(() => clearTimeout(cap));
  }
}
