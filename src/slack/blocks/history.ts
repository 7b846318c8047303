// /role history and /role show: the newest requests first, each with status, requester,
// members, current → requested role, who decided and when; and one request in full.
import type { types } from "@slack/bolt";
import type { Target } from "../../config/file.js";
import type { AuditEntry } from "../../requests/store/request-repo.js";
import { STATUS_PHRASE } from "../../requests/refusals.js";
import type { RoleRequest } from "../../requests/types.js";
import { approvalCard, describeTarget, type SlackMessage } from "./approval-card.js";
import { forHowLong } from "./grant.js";
import { ACTIONS } from "../action-ids.js";
import { escapeText, LIMITS, mention, mrkdwn, plain, slackDate, userText } from "./text.js";

type KnownBlock = types.KnownBlock;

function historyLine(request: RoleRequest): string {
  const members = request.members.map((m) => `${escapeText(m.ref)}: ${escapeText(m.roleWhenFiled ?? "not a member")} → ${escapeText(request.requestedRole.name)}`).join("; ");
  const decided = request.decidedBy
    ? ` · ${STATUS_PHRASE[request.status]} by ${mention(request.decidedBy)}`
    : request.approvals.length > 0
      ? ` · approved by ${request.approvals.map((a) => mention(a.approverId)).join(", ")}`
      : "";
  const when = request.appliedAt ?? request.decidedAt ?? request.createdAt;
  return (
    `*${request.id}* · ${STATUS_PHRASE[request.status]} · ${escapeText([request.target, ...request.extraTargets].join(", "))} · ` +
    `asked by ${mention(request.requesterId)}\n${members}${forHowLong(request)}${decided} · ${slackDate(when)}`
  );
}

/**
 * `note`: what the list leaves out and why (requests the person may not see). `older`: the value
 * of an "Older requests" button (history-page.ts), when the list may go on.
 */
export function historyMessage(requests: RoleRequest[], heading: string, note: string | null = null, older: string | null = null): SlackMessage {
  const noted: KnownBlock[] = note ? [{ type: "context", elements: [mrkdwn(escapeText(note))] }] : [];
  if (requests.length === 0) {
    return { text: `${heading}: none.${note ? ` ${note}` : ""}`, blocks: [{ type: "section", text: mrkdwn(`*${escapeText(heading)}*: none.`) }, ...noted] };
  }
  const blocks: KnownBlock[] = [{ type: "section", text: mrkdwn(`*${escapeText(heading)}* (newest first)`) }, ...noted];
  for (const request of requests.slice(0, LIMITS.messageBlocks - 2 - noted.length)) blocks.push({ type: "section", text: mrkdwn(historyLine(request)) });
  blocks.push({ type: "context", elements: [mrkdwn("`/role show <id>` shows one request in full.")] });
  if (older) {
    blocks.push({
      type: "actions",
      block_id: "history_older",
      elements: [{ type: "button", action_id: ACTIONS.historyOlder, text: plain("Older requests", LIMITS.buttonText), value: older }],
    });
  }
  return { text: `${heading}: ${requests.length} request${requests.length === 1 ? "" : "s"}`, blocks };
}

const EVENT_WORDS: Record<AuditEntry["type"], string> = {
  FILED: "filed",
  APPROVED: "approved",
  DENIED: "denied",
  CANCELLED: "cancelled",
  EXPIRED: "expired",
  CLAIMED: "taken up for applying",
  APPLIED: "applied",
  FAILED: "failed",
  RESCHEDULED: "attempt failed; retry scheduled",
  RETRIED: "retry requested",
  REFUSED: "refused an action",
  ROLES_READ: "current role read from the vendor",
  REVOKED: "ended early",
  EXTENDED: "extended",
  ESCALATED: "escalated",
};

export function showMessage(request: RoleRequest, trail: AuditEntry[], targets: ReadonlyMap<string, Target>, reverts: readonly RoleRequest[] = []): SlackMessage {
  const card = approvalCard(request, targets, reverts);
  const lines = trail.map((e) => {
    const actor = /^[UW][A-Z0-9]+$/.test(e.actor) ? mention(e.actor) : escapeText(e.actor);
    const detail =
      typeof e.details.reason === "string" ? `: ${userText(e.details.reason, 200)}` : typeof e.details.detail === "string" ? `: ${userText(e.details.detail, 200)}` : "";
    return `${slackDate(e.at, "{date_short} {time_secs}")} · ${EVENT_WORDS[e.type]} · ${actor}${detail}`;
  });
  // The card's buttons belong in the channel, not in a private reply.
  const blocks = card.blocks.filter((b) => b.type !== "actions");
  blocks.push({ type: "section", text: mrkdwn(`*Audit trail*\n${newestThatFit(lines, LIMITS.sectionText - 40)}`) });
  return { text: card.text, blocks };
}

/** The newest lines that fit in `max` characters, oldest first, saying how many earlier ones were left out. */
function newestThatFit(lines: string[], max: number): string {
  const kept: string[] = [];
  let length = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!;
    const omitted = `…${i + 1} earlier event${i === 0 ? "" : "s"} not shown`;
    if (length + line.length + 1 + omitted.length > max) return [omitted, ...kept].join("\n");
    kept.unshift(line);
    length += line.length + 1;
  }
  return kept.join("\n");
}

export function targetsMessage(entries: { name: string; roles: string[] | string }[], targets: ReadonlyMap<string, Target>): SlackMessage {
  const lines = entries.map(({ name, roles }) => {
    const list = typeof roles === "string" ? `_roles unavailable: ${userText(roles, 300)}_` : roles.map(escapeText).join(", ");
    return `• *${escapeText(describeTarget(name, targets))}*: ${list}`;
  });
  return { text: `Targets: ${entries.map((e) => e.name).join(", ")}`, blocks: [{ type: "section", text: mrkdwn(`*Targets you can ask for*\n${lines.join("\n")}`) }] };
}
