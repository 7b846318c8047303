// What people are told, by DM, when a time-bound grant's access is taken back — or could not be.
import type { NoticeType } from "../../requests/notifier.js";
import type { RoleRequest } from "../../requests/types.js";
import { userText } from "./text.js";

export function revertMessage(type: NoticeType, revert: RoleRequest, grant: RoleRequest): string | null {
  const member = userText(revert.members[0]?.ref ?? "the member", 300);
  const granted = userText(grant.requestedRole.name, 100);
  const previous = userText(revert.requestedRole.name, 100);
  const where = userText(grant.target, 100);
  switch (type) {
    case "applied":
      return `The time-bound ${granted} access of request *${grant.id}* ended: ${member} is ${previous} again in ${where}.`;
    case "failed":
      return (
        `🚨 rolegate could not take back the ${granted} access of request *${grant.id}*: ${member} still holds it in ${where}. ` +
        `${userText(revert.failureDetail ?? "No detail.", 1500)} ` +
        (revert.failureCode
          ? "Check the member's role at the vendor."
          : "An approver can retry from the request's card.")
      );
    // A revert is created approved and ends applied or failed; the rest show on the card only.
    case "filed":
    case "approval_added":
    case "approved":
    case "denied":
    case "cancelled":
    case "expired":
    case "applying":
    case "retry_scheduled":
    case "retried":
    case "roles_read":
    case "revoked":
    case "ending_soon":
    case "extended":
    case "reminder":
    case "escalated":
    case "resolved":
      return null;
  }
}
