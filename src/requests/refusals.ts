// Expected refusals are values, not exceptions: the caller decides how a refusal looks (an
// ephemeral message, an inline form error). Each carries a stable code for tests and the audit
// trail, and a sentence a person can act on.
import type { RequestStatus } from "./types.js";

export type RefusalCode =
  | "not_found"
  | "not_approver"
  | "self_approval"
  | "already_approved"
  | "already_decided"
  | "expired"
  | "not_requester"
  | "not_failed"
  | "invalid_transition"
  | "invalid_request"
  | "vendor_unavailable";

/** The form field a refusal is about, so the request form can show it inline. */
export type RefusalField = "target" | "members" | "role" | "teamRoles" | "reason";

export interface Refusal {
  code: RefusalCode;
  message: string;
  field?: RefusalField;
}

export type Result<T> = { ok: true; value: T } | { ok: false; refusal: Refusal };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const refuse = <T = never>(code: RefusalCode, message: string, field?: RefusalField): Result<T> => ({
  ok: false,
  refusal: field ? { code, message, field } : { code, message },
});

/** How a status reads in a sentence: "This request was already <phrase>." */
export const STATUS_PHRASE: Record<RequestStatus, string> = {
  PENDING: "waiting for approval",
  APPROVED: "approved",
  EXECUTING: "being applied",
  APPLIED: "applied",
  FAILED: "failed",
  DENIED: "denied",
  CANCELLED: "cancelled",
  EXPIRED: "expired",
};
