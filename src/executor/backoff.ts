// When to try a transiently failed vendor call again: exponential backoff with jitter, so a
// vendor recovering from an outage is not hit by every rolegate process in the same second —
// but never sooner than the vendor itself asked (Retry-After, rate-limit reset), up to a cap: a
// vendor asking for a day's wait would otherwise hold an approved change for a day unnoticed.
import type { ExecutorConfig } from "../config/file.js";

/** The longest a vendor's Retry-After is honoured; the card says when it asked for more. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/** "45s", "12m", "2h" — a wait, for people. */
export function formatWait(ms: number): string {
  if (ms < 120_000) return `${Math.ceil(ms / 1000)}s`;
  if (ms < 7_200_000 && ms % 3_600_000 !== 0) return `${Math.round(ms / 60_000)}m`;
  return `${Math.round(ms / 3_600_000)}h`;
}

export function retryDelayMs(
  attempt: number,
  config: Pick<ExecutorConfig, "firstRetryDelay" | "maxRetryDelay">,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(config.maxRetryDelay, config.firstRetryDelay * 2 ** Math.max(0, attempt - 1));
  // "Equal jitter": at least half the exponential delay, spread over the other half.
  const jittered = exponential / 2 + (random() * exponential) / 2;
  return Math.round(Math.max(jittered, Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS)));
}
