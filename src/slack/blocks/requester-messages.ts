// What the requester is told, by DM, as their request moves. Only the moments a requester
// acts on: filed (and what happens next), approved, denied, expired, applied, failed.
import type { Notice } from "../../requests/notifier.js";
import { mention, slackDate, userText } from "./text.js";
import { summary } from "./approval-card.js";
import { durationText } from "../../requests/durations.js";

/** `approvers`: who can approve, named (approvers.ts), for the requester to know whom to ask. */
export function requesterMessage(
  { type, request }: Notice,
  approvalChannel: string,
  approvers: string | null = null,
): string | null {
  const what = userText(summary(request), 1500);
  const id = `*${request.id}*`;
  switch (type) {
    case "filed": {
      const n = request.requiredApprovals;
      return (
        `Your request ${id} to ${what} is waiting for approval in <#${approvalChannel}>: ` +
        `it needs ${n} approval${n === 1 ? "" : "s"} and expires ${slackDate(request.expiresAt)}. ` +
        (approvers ? `Who can approve: ${approvers}. ` : "") +
        `I'll tell you when it is decided and applied. To withdraw it: \`/role cancel ${request.id}\`.`
      );
    }
    case "approved":
      return `Your request ${id} to ${what} was approved by ${request.approvals.map((a) => mention(a.approverId)).join(", ")}. Applying it now.`;
    case "denied":
      return `Your request ${id} to ${what} was denied by ${request.decidedBy ? mention(request.decidedBy) : "an approver"}${
        request.decisionNote ? `: “${userText(request.decisionNote, 1000)}”` : " (no reason given)"
      }.`;
    case "expired":
      return `Your request ${id} to ${what} expired without a decision. File it again with \`/role\` if it is still needed.`;
    case "applied":
      return (
        `Done: ${what} (request ${id}, applied ${request.appliedAt ? slackDate(request.appliedAt) : "just now"}).` +
        (request.grantEndsAt
          ? ` It ends ${slackDate(request.grantEndsAt)}, when each member goes back to their previous role; end it sooner with *I'm done*.`
          : "")
      );
    case "ending_soon":
      return (
        `Your ${userText(request.requestedRole.name, 100)} access of request ${id} ends ${request.grantEndsAt ? slackDate(request.grantEndsAt) : "soon"}. ` +
        `Need more time? *Extend* asks its approvers for another ${durationText(request.durationSeconds ?? 0)}; *I'm done* ends it now.`
      );
    case "extended":
      return `Request ${id} was extended: it now ends ${request.grantEndsAt ? slackDate(request.grantEndsAt) : "later"}.`;
    case "failed":
      return `Your request ${id} to ${what} could not be applied: ${userText(request.failureDetail ?? "no detail", 1500)}. An approver can retry it from the card in <#${approvalChannel}>.`;
    // Moments the requester has nothing to act on: the card shows them.
    case "approval_added":
    case "applying":
    case "retry_scheduled":
    case "retried":
    case "cancelled":
    case "roles_read":
    case "revoked":
    case "reminder":
    case "escalated":
    case "resolved":
      return null;
  }
}
