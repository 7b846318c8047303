// How long to wait before trying again: doubling from `firstMs`, never longer than `maxMs`.
// The one formula every retry of rolegate's own uses — the executor's vendor calls (with jitter
// on top), notices Slack refused, records the database could not take, Slack's auth.test.
export function doublingDelay(attempt: number, firstMs: number, maxMs: number): number {
  return Math.min(maxMs, firstMs * 2 ** Math.max(0, attempt - 1));
}
