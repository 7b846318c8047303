// A value read from elsewhere (Slack, a vendor) and kept for a while: each key is read once per
// `ttlMs`. A read under way is shared, so a burst of clicks asks once; a read that fails is not
// kept, so the next caller asks again.
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: Promise<V>; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    /** Past this many keys, expired ones are dropped: a cache of every user ever seen stays small. */
    private readonly maxKeys = 10_000,
  ) {}

  get(key: K, read: () => Promise<V>): Promise<V> {
    const now = this.now();
    const kept = this.entries.get(key);
    if (kept && kept.until > now) return kept.value;
    if (this.entries.size >= this.maxKeys) this.dropExpired(now);
    const entry = { value: read(), until: now + this.ttlMs };
    this.entries.set(key, entry);
    entry.value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return entry.value;
  }

  private dropExpired(now: number): void {
    for (const [key, entry] of this.entries) if (entry.until <= now) this.entries.delete(key);
  }
}
