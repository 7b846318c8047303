// /role history and /role show: the newest requests first, each with status, requester,
// members, current → requested role, who decided and when; and one request in full.
import type { types } from "@slack/bolt";
import type { Target } from "../../config/file.js";
import type { AuditEntry } from "../../requests/history.js";
import { STATUS_PHRASE } from "../../requests/refusals.js";
import type { RoleRequest } from "../../requests/types.js";
import { approvalCard, describeTarget, type SlackMessage } from "./approval-card.js";
import { forHowLong } from "./grant.js";
import { ACTIONS } from "../action-ids.js";
import { escapeText, LIMITS, mention, mrkdwn, plain, slackDate, userText } from "./text.js";

type KnownBlock = types.KnownBlock;

/**
 * One request as a history row, at most `max` characters. The members are the only part that
 * can grow long (50 of them with long emails): they are listed while they fit, then counted, so
 * the row is cut between whole fields — never inside a mention or a <!date^…> token, and never
 * losing who decided or when.
 */
export function historyLine(request: RoleRequest, max: number = LIMITS.sectionText): string {
  const decided = request.decidedBy
    ? ` · ${STATUS_PHRASE[request.status]} by ${mention(request.decidedBy)}`
    : request.approvals.length > 0
      ? ` · approved by ${request.approvals.map((a) => mention(a.approverId)).join(", ")}`
      : "";
  const when = request.appliedAt ?? request.decidedAt ?? request.createdAt;
  const head = `*${request.id}* · ${STATUS_PHRASE[request.status]} · ${userText([request.target, ...request.extraTargets].join(", "), 300)} · asked by ${mention(request.requesterId)}\n`;
  const tail = `${forHowLong(request)}${decided} · ${slackDate(when)}`;
  const entries = request.members.map(
    (m) =>
      `${userText(m.ref, 330)}: ${userText(m.roleWhenFiled ?? "not a member", 200)} → ${userText(request.requestedRole.name, 200)}`,
  );
  return head + wholeEntries(entries, "; ", max - head.length - tail.length) + tail;
}

/** As many entries as fit in `max` characters, joined, then how many more there are. */
function wholeEntries(entries: string[], separator: string, max: number): string {
  let text = "";
  for (const [i, entry] of entries.entries()) {
    const next = (i === 0 ? "" : separator) + entry;
    const rest = entries.length - i - 1;
    const more = rest > 0 ? `${separator}…and ${rest} more` : "";
    if (text.length + next.length + more.length > max)
      return `${text}${i === 0 ? "" : separator}…and ${entries.length - i} more`;
    text += next;
  }
  return text;
}

/**
 * Rows packed into as few sections as they fit (a section holds 3,000 characters, a message 50
 * blocks), each row whole, and no more sections than `maxBlocks`. Returns the sections and how
 * many rows they hold: a page that cannot hold every row shows fewer, and says so by its count.
 */
function packRows(rows: string[], maxBlocks: number): { blocks: KnownBlock[]; shown: number } {
  const sections: string[] = [];
  let shown = 0;
  for (const row of rows) {
    const last = sections.length - 1;
    if (last >= 0 && sections[last]!.length + 2 + row.length <= LIMITS.sectionText)
      sections[last] = `${sections[last]!}\n\n${row}`;
    else if (sections.length < maxBlocks) sections.push(row);
    else break;
    shown++;
  }
  return { blocks: sections.map((text) => ({ type: "section", text: mrkdwn(text) })), shown };
}

/**
 * `note`: what the list leaves out and why (requests the person may not see). `older`: given the
 * requests the message could show, the value of an "Older requests" button (history-page.ts),
 * or null when the list ends there.
 */
export function historyMessage(
  requests: RoleRequest[],
  heading: string,
  note: string | null = null,
  older: (shown: readonly RoleRequest[]) => string | null = () => null,
): SlackMessage {
  const noted: KnownBlock[] = note ? [{ type: "context", elements: [mrkdwn(escapeText(note))] }] : [];
  if (requests.length === 0) {
    return {
      text: `${heading}: none.${note ? ` ${note}` : ""}`,
      blocks: [{ type: "section", text: mrkdwn(`*${escapeText(heading)}*: none.`) }, ...noted],
    };
  }
  // The heading, the note, the closing hint and the button take their blocks first.
  const rows = packRows(
    requests.map((r) => historyLine(r)),
    LIMITS.messageBlocks - 3 - noted.length,
  );
  const shown = requests.slice(0, rows.shown);
  const blocks: KnownBlock[] = [
    { type: "section", text: mrkdwn(`*${escapeText(heading)}* (newest first)`) },
    ...noted,
    ...rows.blocks,
  ];
  blocks.push({ type: "context", elements: [mrkdwn("`/role show <id>` shows one request in full.")] });
  const next = older(shown);
  if (next) {
    blocks.push({
      type: "actions",
      block_id: "history_older",
      elements: [
        {
          type: "button",
          action_id: ACTIONS.historyOlder,
          text: plain("Older requests", LIMITS.buttonText),
          value: next,
        },
      ],
    });
  }
  return { text: `${heading}: ${shown.length} request${shown.length === 1 ? "" : "s"}`, blocks };
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
  RESOLVED: "failed revert settled",
};

export function showMessage(
  request: RoleRequest,
  trail: AuditEntry[],
  targets: ReadonlyMap<string, Target>,
  reverts: readonly RoleRequest[] = [],
  extended: RoleRequest | null = null,
): SlackMessage {
  const card = approvalCard(request, targets, reverts, extended);
  const lines = trail.map((e) => {
    const actor = /^[UW][A-Z0-9]+$/.test(e.actor) ? mention(e.actor) : escapeText(e.actor);
    const detail =
      typeof e.details.reason === "string"
        ? `: ${userText(e.details.reason, 200)}`
        : typeof e.details.detail === "string"
          ? `: ${userText(e.details.detail, 200)}`
          : "";
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

export function targetsMessage(
  entries: { name: string; roles: string[] | string }[],
  targets: ReadonlyMap<string, Target>,
): SlackMessage {
  const lines = entries.map(({ name, roles }) => {
    const list =
      typeof roles === "string" ? `_roles unavailable: ${userText(roles, 300)}_` : roles.map(escapeText).join(", ");
    return `• *${escapeText(describeTarget(name, targets))}*: ${list}`;
  });
  return {
    text: `Targets: ${entries.map((e) => e.name).join(", ")}`,
    blocks: [{ type: "section", text: mrkdwn(`*Targets you can ask for*\n${lines.join("\n")}`) }],
  };
}
