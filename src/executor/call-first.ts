// The vendor call goes first. In one process the executor and the notice dispatcher share the
// event loop, the database pool and, on a small machine, the cores. An approval sets both off
// at the same moment, and the card redraw and DMs it caused slow the vendor call the approver
// and the requester are waiting for (README, "Speed", has the soak's figures). So while an idle
// executor takes the work it was just woken for to the vendor, the dispatcher waits before its
// next batch of notices: until that call is under way, the executor found nothing to do, or
// `capMs` has passed. A busy executor holds nothing: under a stream of approvals notices must
// keep up. Notices are delayed by milliseconds, never lost: they wait in the outbox.
//
// The one seam: wire-requests.ts makes one CallFirst and hands it to both — the executor tells
// it when work was given out and when a run's call is under way, the dispatcher waits on it.
// Nothing else knows of it; leave it out and both loops run as they would without it.

export class CallFirst {
  private pending: { done: Promise<void>; resolve: () => void; goesFirst: (run: number) => boolean } | undefined;

  constructor(private readonly capMs: number) {}

  /**
   * Work was given out: notices wait for the call of the first executor run `goesFirst` accepts.
   * A wait already on keeps its run, unless `replace` (the run is known: a request handed over).
   */
  open(goesFirst: (run: number) => boolean, { replace = false } = {}): void {
    if (this.pending) {
      if (replace) this.pending.goesFirst = goesFirst;
      return;
    }
    let resolve!: () => void;
    const done = new Promise<void>((r) => (resolve = r));
    this.pending = { done, resolve, goesFirst };
  }

  /** Run `run` has its vendor call under way, or ended without one: notices go on if it was the one. */
  started(run: number): void {
    if (this.pending?.goesFirst(run)) this.close();
  }

  /** Notices go on, whatever the executor is doing (it stopped). */
  close(): void {
    this.pending?.resolve();
    this.pending = undefined;
  }

  /**
   * Resolves at once when nothing goes first; otherwise once it has, or after capMs at the
   * latest — and then the wait is over for everyone: a vendor read that hangs holds notices
   * back once, not batch after batch.
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
