// Small helpers every connector shares.
import type { CallOptions } from "./connector.js";
import { VendorError } from "./errors.js";

/** An answer that does not have the documented shape: a clear error, never a crash. */
export function unexpected(what: string): VendorError {
  return new VendorError({ kind: "unavailable", message: `The vendor's answer was not what its API documents: ${what}` });
}

export function signal(options?: CallOptions): { signal?: AbortSignal } {
  return options?.signal ? { signal: options.signal } : {};
}

/** Keeps the members already changed on the error, so the executor records them as applied. */
export function withCompleted(error: unknown, done: string[]): unknown {
  if (!(error instanceof VendorError) || done.length === 0) return error;
  return new VendorError({
    kind: error.kind,
    message: error.message,
    ...(error.vendorCode ? { vendorCode: error.vendorCode } : {}),
    ...(error.requestId ? { requestId: error.requestId } : {}),
    ...(error.httpStatus ? { httpStatus: error.httpStatus } : {}),
    ...(error.retryAfterMs !== undefined ? { retryAfterMs: error.retryAfterMs } : {}),
    completedMemberIds: [...done],
  });
}

