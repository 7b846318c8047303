// How the rest of the world hears about a request: the Slack layer implements Notifier (update the
// approval card in place, DM the requester). Notices are queued with the change they announce
// and delivered by the notice dispatcher after the commit; a failing notifier delays them and
// can never undo or repeat what was committed.
import type { RoleRequest } from "./types.js";

export type NoticeType =
  | "filed"
  | "approval_added" // an approval that did not yet reach the number required
  | "approved"
  | "denied"
  | "cancelled"
  | "expired"
  | "applying" // an executor claimed the request and is calling the vendor
  | "retry_scheduled" // a transient vendor failure; another attempt is due
  | "applied"
  | "failed"
  | "retried" // an approver asked to try a failed request again
  | "roles_read" // a member's role, unknown at filing, is now on the card
  | "revoked" // a time-bound grant was ended early; its reverts are due now
  | "ending_soon" // a time-bound grant ends within a day, or within an hour
  | "extended" // an approved extension moved a grant's end
  | "reminder" // still undecided: re-posted in the card's thread, mentioning who can decide
  | "escalated" // undecided for escalateAfter: escalateTo approvers may decide too
  | "resolved"; // a failed revert was settled: accepted as it is, or taken back by a new request

export interface Notice {
  type: NoticeType;
  /** The request as committed, with members and approvals. */
  request: RoleRequest;
  /** Slack user id of whoever caused it, or SYSTEM_ACTOR. */
  actor: string;
  /** Which queued notice this is (the outbox row): its turn in a busy channel is kept for it. */
  deliveryId?: string;
  /**
   * An earlier try of this notice may have reached Slack (it failed, timed out, or its process
   * died before recording it): a card it was to post may be there already.
   */
  triedBefore?: boolean;
}

/**
 * How a delivery went: sent, or not now for a reason that is no failure — Slack takes only so
 * many messages a second in a channel — with when it can be: the notice steps aside until then,
 * without counting as a failed try, so other notices go on meanwhile. A failure is thrown.
 */
export type Delivery = { kind: "sent" } | { kind: "later"; afterMs: number; why: string };

export const SENT: Delivery = { kind: "sent" };

export interface Notifier {
  notify(notice: Notice): Promise<Delivery>;
  /** Whether an error from notify() is one no retry will fix (the notice is then given up on). */
  isPermanent?(error: unknown): boolean;
}
