// How an attempt ended, as a value, and what an error that ended it means for the request: a
// fault a later attempt can get past (a vendor's 503 or 429, a timeout, a database blip) is a
// retry until the attempts are used up; anything else fails the request for good. Pure: the
// executor records what these functions decide.
import { isTransientDatabaseError } from "../db/transient-errors.js";
import type { MemberResult } from "../requests/store/work-queue.js";
import { isAbort, VendorError } from "../vendors/errors.js";
import { waitText } from "../requests/durations.js";
import { MAX_RETRY_AFTER_MS } from "./retry-delay.js";

export type AttemptResult =
  | { kind: "applied"; members: MemberResult[]; calls: number }
  | { kind: "failed"; members: MemberResult[]; detail: string; info: Record<string, unknown>; code?: string }
  | {
      kind: "retry";
      members: MemberResult[];
      detail: string;
      retryAfterMs: number | undefined;
      info: Record<string, unknown>;
    }
  /** Another executor holds the request now: the outcome is its to record. */
  | { kind: "lease_lost" };

/** An attempt that did not apply the change: tried again later, or failed for good. */
export type Setback = Extract<AttemptResult, { kind: "failed" | "retry" }>;

/** A permanent failure; `code` when a retry cannot help (the card then offers none). */
export function failed(detail: string, members: MemberResult[] = [], code?: string): Setback {
  return { kind: "failed", members, detail, info: code ? { code } : {}, ...(code ? { code } : {}) };
}

interface AttemptCount {
  attempt: number;
  maxAttempts: number;
}

/**
 * A vendor's refusal or fault. `members`: what the call did before it failed (members a
 * one-by-one vendor changed first) — those changes took effect and are recorded either way.
 */
export function vendorFailure(error: VendorError, count: AttemptCount, members: MemberResult[] = []): Setback {
  const info = {
    kind: error.kind,
    httpStatus: error.httpStatus,
    vendorCode: error.vendorCode,
    vendorRequestId: error.requestId,
  };
  if (!error.transient) return { kind: "failed", members, detail: error.describe(), info };
  if (count.attempt >= count.maxAttempts) {
    return {
      kind: "failed",
      members,
      detail: `${error.describe()} — rolegate gave up after ${count.attempt} attempts.`,
      info,
    };
  }
  return { kind: "retry", members, detail: error.describe(), retryAfterMs: error.retryAfterMs, info };
}

/** What an error thrown out of an attempt means, once the lease is known to be held. */
export function thrownFailure(error: unknown, count: AttemptCount): Setback & { unexpected?: boolean } {
  if (error instanceof VendorError) return vendorFailure(error, count);
  if (isAbort(error)) {
    return {
      kind: "retry",
      members: [],
      detail: "The vendor did not answer in time.",
      retryAfterMs: undefined,
      info: { kind: "timeout" },
    };
  }
  // The database failed before the vendor call (every write of an attempt comes before it): a
  // blip to ride out like a vendor's 503, never a verdict on the request.
  if (isTransientDatabaseError(error)) {
    const detail = "rolegate lost its database connection during this attempt; nothing was changed at the vendor.";
    if (count.attempt >= count.maxAttempts) {
      return {
        kind: "failed",
        members: [],
        detail: `${detail} rolegate gave up after ${count.attempt} attempts.`,
        info: { kind: "database" },
      };
    }
    return { kind: "retry", members: [], detail, retryAfterMs: undefined, info: { kind: "database" } };
  }
  return {
    kind: "failed",
    members: [],
    detail: `rolegate hit an unexpected error: ${error instanceof Error ? error.message : String(error)}`,
    info: { kind: "internal" },
    unexpected: true,
  };
}

/** A retry's note for the card: the vendor's wait is honoured up to a cap, and said either way. */
export function retryNote(detail: string, retryAfterMs: number | undefined): string {
  if (retryAfterMs === undefined) return detail;
  if (retryAfterMs > MAX_RETRY_AFTER_MS)
    return `${detail} — the vendor asked to wait ${waitText(retryAfterMs)}; rolegate waits at most ${waitText(MAX_RETRY_AFTER_MS)}`;
  return `${detail} — the vendor asked to wait ${waitText(retryAfterMs)}`;
}
