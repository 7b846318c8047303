// How the rest of the world hears about a request: the Slack layer implements Notifier (update the
// approval card in place, DM the requester). Notices go out after the database has committed,
// and a failing notifier is logged, never allowed to undo or repeat what was committed.
import type { Logger } from "../logger.js";
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
  | "roles_read"; // a member's role, unknown at filing, is now on the card

export interface Notice {
  type: NoticeType;
  /** The request as committed, with members and approvals. */
  request: RoleRequest;
  /** Slack user id of whoever caused it, or SYSTEM_ACTOR. */
  actor: string;
}

export interface Notifier {
  notify(notice: Notice): Promise<void>;
}

/** Delivers a notice; a failure is logged and reported as false, never thrown. */
export async function deliver(notifier: Notifier, notice: Notice, logger: Logger): Promise<boolean> {
  try {
    await notifier.notify(notice);
    return true;
  } catch (error) {
    logger.warn("could not deliver a notice; it will be sent again", { request: notice.request.id, notice: notice.type, error });
    return false;
  }
}
