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
  | "own_access" // the person deciding is one of the request's members
  | "own_access_unverified" // the lookup that would tell whether they are failed: fail closed
  | "roles_unknown" // the card does not show every member's current role yet
  | "approval_stale" // a retry more than retryWindow after the last approval
  | "approvals_lapsed" // approvals whose givers are no longer approvers do not count
  | "state_changed" // a member's role moved at the vendor since approval; file anew
  | "policy" // rolegate.yml does not allow this role for this long, or permanently
  | "requester_not_allowed" // the person is not among the target's requesters (any more)
  | "nothing_to_end" // an early end of a grant that is not time-bound, not applied, or already ended
  | "limit" // the requester has as many requests open, or filed this hour, as rolegate.yml's limits allow
  | "extension_pending" // a second Extend while the first extension is still open
  | "grant_running" // a member has a time-bound grant still open in that target: extend it or end it first
  | "invalid_transition"
  | "invalid_request"
  | "vendor_unavailable";

/** The form field a refusal is about, so the request form can show it inline. */
export type RefusalField = "target" | "members" | "role" | "teamRoles" | "duration" | "reason";

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
