// When the executor tries a transiently failed vendor call again: the doubling pause of
// src/backoff.ts with jitter on top, so a vendor recovering from an outage is not hit by every
// rolegate process in the same second —
// but never sooner than the vendor itself asked (Retry-After, rate-limit reset), up to a cap: a
// vendor asking for a day's wait would otherwise hold an approved change for a day unnoticed.
import { doublingDelay } from "../backoff.js";
import type { ExecutorConfig } from "../config/file.js";

/** The longest a vendor's Retry-After is honoured; the card says when it asked for more. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

export function retryDelayMs(
  attempt: number,
  config: Pick<ExecutorConfig, "firstRetryDelay" | "maxRetryDelay">,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  const exponential = doublingDelay(attempt, config.firstRetryDelay, config.maxRetryDelay);
  // "Equal jitter": at least half the exponential delay, spread over the other half.
  const jittered = exponential / 2 + (random() * exponential) / 2;
  return Math.round(Math.max(jittered, Math.min(retryAfterMs ?? 0, MAX_RETRY_AFTER_MS)));
}
