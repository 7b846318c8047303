// When to try a transiently failed vendor call again: exponential backoff with jitter, so a
// vendor recovering from an outage is not hit by every rolegate process in the same second —
// but never sooner than the vendor itself asked (Retry-After, rate-limit reset).
import type { ExecutorConfig } from "../config/file.js";

export function retryDelayMs(
  attempt: number,
  config: Pick<ExecutorConfig, "firstRetryDelay" | "maxRetryDelay">,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(config.maxRetryDelay, config.firstRetryDelay * 2 ** Math.max(0, attempt - 1));
  // "Equal jitter": at least half the exponential delay, spread over the other half.
  const jittered = exponential / 2 + (random() * exponential) / 2;
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}
