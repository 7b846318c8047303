// What went wrong at a vendor, in a small set of kinds the executor can act on, keeping the
// vendor's own words, code and request id for people to read on the card.
import type { VendorTextScrubber } from "./vendor-text.js";

export type VendorErrorKind = "invalid" | "forbidden" | "not_found" | "conflict" | "rate_limited" | "unavailable";

export interface VendorErrorInit {
  kind: VendorErrorKind;
  /** The vendor's own message (or ours, for a refusal made before calling). */
  message: string;
  vendorCode?: string;
  requestId?: string;
  httpStatus?: number;
  /** rate_limited: how long the vendor asked us to wait. */
  retryAfterMs?: number;
  /** For a call that changes several members one by one: those already changed. */
  completedMemberIds?: string[];
}

export class VendorError extends Error {
  override readonly name = "VendorError";
  readonly kind: VendorErrorKind;
  readonly vendorCode: string | undefined;
  readonly requestId: string | undefined;
  readonly httpStatus: number | undefined;
  readonly retryAfterMs: number | undefined;
  readonly completedMemberIds: string[];

  constructor(private readonly init: VendorErrorInit) {
    super(init.message);
    this.kind = init.kind;
    this.vendorCode = init.vendorCode;
    this.requestId = init.requestId;
    this.httpStatus = init.httpStatus;
    this.retryAfterMs = init.retryAfterMs;
    this.completedMemberIds = init.completedMemberIds ?? [];
  }

  /** The same error with every vendor-given string passed through `scrub`. */
  scrubbed(scrub: VendorTextScrubber): VendorError {
    return new VendorError({
      ...this.init,
      message: scrub(this.init.message),
      ...(this.init.vendorCode !== undefined ? { vendorCode: scrub(this.init.vendorCode, "name") } : {}),
      ...(this.init.requestId !== undefined ? { requestId: scrub(this.init.requestId, "id") } : {}),
    });
  }

  /** The same error, saying which members the call had already changed before it. */
  withCompletedMembers(ids: string[]): VendorError {
    return new VendorError({ ...this.init, completedMemberIds: [...ids] });
  }

  /** Worth trying again later: the vendor was busy or out of reach, not saying no. */
  get transient(): boolean {
    return this.kind === "rate_limited" || this.kind === "unavailable";
  }

  /** One line for people: the vendor's words, then its code and request id when it gave them. */
  describe(): string {
    const refs = [
      this.vendorCode && `code ${this.vendorCode}`,
      this.requestId && `request id ${this.requestId}`,
    ].filter(Boolean);
    return refs.length > 0 ? `${this.message} (${refs.join(", ")})` : this.message;
  }
}

/** Our own caller gave up on the call: its AbortSignal fired, or its timeout ran out. */
export function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
}

/** One line for people about a vendor call that failed: the vendor's words, a timeout, or the error's message. */
export function describeVendorFailure(error: unknown): string {
  if (error instanceof VendorError) return error.describe();
  if (isAbort(error)) return "the vendor did not answer in time";
  return error instanceof Error ? error.message : String(error);
}
