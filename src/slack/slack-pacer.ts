// Slack takes about one message per second in a channel and answers 429 past that. Waiting
// in line for a busy channel would hold up every other notice behind it — a burst of cards
// in the approvals channel would delay a DM to someone else by minutes. So the pacer hands
// out turns instead: a post goes now, or is given a turn later and its notice steps aside
// ("later") until then, while notices for other channels go on.
//
// A turn belongs to the notice it was given to (its outbox id): when that notice comes back at
// its time it posts, and the notices that asked after it have the turns after it. Turns are
// this process's own; several replicas posting to one channel meet Slack's 429, and its
// Retry-After moves the channel's next turn (pushBack).

/** Turns handed out but never taken (the notice was given up on) are forgotten after this. */
const FORGET_AFTER_MS = 60_000;

export class SlackPacer {
  /** When each channel's next free turn starts (this process's clock, ms). */
  private readonly nextFree = new Map<string, number>();
  /** "owner channel" → the turn that owner was given. */
  private readonly turns = new Map<string, number>();

  constructor(
    /** The least time between two posts in one channel; 0 posts at once until Slack answers 429. */
    private readonly intervalMs = 1_000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * How long `owner` must wait before posting in `channel`: 0 means post now, and the turn is
   * taken. A later turn is kept for `owner` until it comes back for it.
   */
  turn(channel: string, owner: string): number {
    const now = this.now();
    if (this.nextFree.size + this.turns.size > 1_000) this.forgetStale(now);
    const key = `${owner} ${channel}`;
    const given = this.turns.get(key);
    if (given !== undefined) {
      if (given > now) return given - now;
      this.turns.delete(key);
      return 0;
    }
    const start = Math.max(now, this.nextFree.get(channel) ?? 0);
    this.nextFree.set(channel, start + this.intervalMs);
    if (start <= now) return 0;
    this.turns.set(key, start);
    return start - now;
  }

  /** Slack refused a post for `retryAfterMs`: no turn in `channel` starts before then. Returns `owner`'s new wait. */
  pushBack(channel: string, retryAfterMs: number, owner: string): number {
    const now = this.now();
    this.turns.delete(`${owner} ${channel}`);
    this.nextFree.set(channel, Math.max(this.nextFree.get(channel) ?? 0, now + retryAfterMs));
    return this.turn(channel, owner);
  }

  private forgetStale(now: number): void {
    for (const [key, at] of this.turns) if (at < now - FORGET_AFTER_MS) this.turns.delete(key);
    for (const [channel, at] of this.nextFree) if (at < now - FORGET_AFTER_MS) this.nextFree.delete(channel);
  }
}
