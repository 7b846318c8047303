// The approval card posted to approvalChannel and updated in place at every change. Pure: the
// request as committed in, blocks and fallback text out. Everything a person typed is escaped.
import type { types } from "@slack/bolt";
import type { Target } from "../../config/file.js";
import { STATUS_PHRASE } from "../../requests/refusals.js";
import { lifecycleStateOf } from "../../requests/lifecycle.js";
import {
  isUnknownRole,
  roleWhenFiledIn,
  targetsOf,
  type RequestMember,
  type RoleRequest,
} from "../../requests/types.js";
import { ACTIONS } from "../action-ids.js";
import { approversText } from "./approvers.js";
import { durationText } from "../../requests/durations.js";
import { forHowLong, grantButtons, grantLine, grantState } from "./grant.js";
import { traitsOf } from "../../vendors/traits.js";
import { cut, escapeText, LIMITS, mention, mrkdwn, plain, slackDate, userText } from "./text.js";

type KnownBlock = types.KnownBlock;

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

const STATUS_ICON: Record<RoleRequest["status"], string> = {
  PENDING: "⏳",
  APPROVED: "👍",
  EXECUTING: "⚙️",
  APPLIED: "✅",
  FAILED: "❌",
  DENIED: "🚫",
  CANCELLED: "↩️",
  EXPIRED: "⌛",
};

/** "sentry-acme (Sentry · acme)" — what a target is, for people who know the vendor's words. */
export function describeTarget(name: string, targets: ReadonlyMap<string, Target>): string {
  const target = targets.get(name);
  return target ? `${name} (${target.vendor} · ${target.organization})` : `${name} (no longer configured)`;
}

/** One sentence on what the request asks, for fallback text, DMs and history. */
export function summary(request: RoleRequest): string {
  const who = request.members.map((m) => m.ref).join(", ");
  const verb = request.kind === "ADD_TO_ORGS" ? `add ${who} to ${targetsOf(request).join(", ")} as` : `make ${who}`;
  const length = request.durationSeconds === null ? "" : ` for ${durationText(request.durationSeconds)}`;
  return request.kind === "ADD_TO_ORGS"
    ? `${verb} ${request.requestedRole.name}`
    : `${verb} ${request.requestedRole.name} in ${request.target}${length}`;
}

/**
 * `reverts`: a time-bound grant's reverts, which say whether its access has ended. `extended`:
 * for an extension, the grant it extends, so the card can say how long that will have run.
 */
export function approvalCard(
  request: RoleRequest,
  targets: ReadonlyMap<string, Target>,
  reverts: readonly RoleRequest[] = [],
  extended: RoleRequest | null = null,
): SlackMessage {
  const grant = grantState(request, reverts);
  const icon = grant === "revert_failed" ? "🚨" : STATUS_ICON[request.status];
  const phrase =
    grant === "ended"
      ? "applied, and ended"
      : grant === "revert_failed"
        ? "access NOT taken back"
        : STATUS_PHRASE[request.status];
  const blocks: KnownBlock[] = [
    { type: "header", text: plain(`${icon} Role change ${request.id}: ${phrase}`, LIMITS.header) },
    {
      type: "section",
      fields: [
        mrkdwn(`*Requested by*\n${mention(request.requesterId)}`, LIMITS.field),
        mrkdwn(
          `*Target*\n${targetsOf(request)
            .map((t) => escapeText(describeTarget(t, targets)))
            .join("\n")}`,
          LIMITS.field,
        ),
        mrkdwn(
          `*Role*\n${escapeText(request.requestedRole.name)}${forHowLong(request)}${teamRolesText(request)}`,
          LIMITS.field,
        ),
        mrkdwn(`*Approvals*\n${approvalsText(request)}`, LIMITS.field),
      ],
    },
    { type: "section", text: mrkdwn(`*Member${request.members.length > 1 ? "s" : ""}*\n${membersText(request)}`) },
    {
      type: "section",
      text: mrkdwn(`*Reason*\n>${userText(request.reason, LIMITS.sectionText - 20).replace(/\n/g, "\n>")}`),
    },
    { type: "context", elements: [mrkdwn(statusLine(request), LIMITS.contextText)] },
  ];
  // What approvers should know about each vendor the request touches (vendors/traits.ts).
  const notes = new Set(
    targetsOf(request).flatMap((t) => {
      const vendor = targets.get(t)?.vendor;
      return vendor ? (traitsOf(vendor).cardNote ?? []) : [];
    }),
  );
  for (const note of notes) blocks.splice(blocks.length - 1, 0, { type: "context", elements: [mrkdwn(note)] });
  const escalateTo = targets.get(request.target)?.escalateTo;
  if (request.status === "PENDING" && request.escalatedAt && escalateTo) {
    blocks.splice(blocks.length - 1, 0, {
      type: "context",
      elements: [
        mrkdwn(`⏫ Escalated ${slackDate(request.escalatedAt)}: ${approversText(escalateTo)} may decide it now too.`),
      ],
    });
  }
  if (request.extendsGrant) {
    blocks.splice(blocks.length - 1, 0, { type: "context", elements: [mrkdwn(extensionLine(request, extended))] });
  }
  const line = grantLine(request, reverts);
  if (line) blocks.splice(blocks.length - 1, 0, { type: "section", text: mrkdwn(line) });
  // A grant that changed some members and then failed offers both: End now, and Retry.
  const buttons = [...grantButtons(request, reverts), ...requestButtons(request)];
  if (buttons.length > 0) blocks.push({ type: "actions", block_id: `actions_${request.id}`, elements: buttons });
  // The fallback text is what notifications show, and Slack parses it too: escape it as well.
  return {
    text: cut(
      `Role change ${request.id} (${STATUS_PHRASE[request.status]}): ${escapeText(summary(request))}`,
      LIMITS.sectionText,
    ),
    blocks,
  };
}

/**
 * What an extension does to its grant, with the total time the grant will have run: approvers
 * judge "4h more" by how long the access has lasted already.
 */
function extensionLine(extension: RoleRequest, grant: RoleRequest | null): string {
  const id = escapeText(extension.extendsGrant ?? "");
  const more = (extension.durationSeconds ?? 0) * 1000;
  const started = grant?.appliedAt?.getTime();
  const end = grant?.grantEndsAt?.getTime();
  if (extension.status === "APPLIED" && started !== undefined && end !== undefined) {
    return `↪️ Extended request ${id}: it now ends ${slackDate(new Date(end))}, ${escapeText(durationText((end - started) / 1000))} in all.`;
  }
  const base = `↪️ An extension: once approved, request ${id} ends ${escapeText(durationText(more / 1000))} later`;
  if (started === undefined || end === undefined || !["PENDING", "APPROVED", "EXECUTING"].includes(extension.status))
    return `${base}.`;
  return `${base}, at ${slackDate(new Date(end + more))}: ${escapeText(durationText((end + more - started) / 1000))} in all since it was applied ${slackDate(new Date(started))}.`;
}

function teamRolesText(request: RoleRequest): string {
  if (!request.teamRoles || request.teamRoles.length === 0) return "";
  return `\nTeams: ${request.teamRoles.map((t) => `${escapeText(t.team)}: ${t.role === null ? "out of the team" : escapeText(t.role)}`).join(", ")}`;
}

function approvalsText(request: RoleRequest): string {
  const given = request.approvals.map((a) => `${mention(a.approverId)} ${slackDate(a.at, "{time}")}`);
  return [`${request.approvals.length} of ${request.requiredApprovals}`, ...given].join("\n");
}

function membersText(request: RoleRequest): string {
  const lines = request.members.map((m) => `• ${memberLine(request, m)}`);
  // Keep within one section: list as many as fit, then say how many more there are.
  const kept: string[] = [];
  let length = 0;
  for (const [i, line] of lines.entries()) {
    const more = `\n…and ${lines.length - i} more`;
    if (length + line.length + 1 + more.length > LIMITS.sectionText - 20) {
      kept.push(more.trim());
      break;
    }
    kept.push(line);
    length += line.length + 1;
  }
  return kept.join("\n");
}

function memberLine(request: RoleRequest, member: RequestMember): string {
  const name = escapeText(member.ref);
  const targets = targetsOf(request);
  if (targets.length === 1) return `${name}: ${changeText(request, member.roleWhenFiled)}${outcomeText(member)}`;
  // One POST adds to every organization at once: say, for each, what it will overwrite.
  const perTarget = targets.map(
    (target) => `${escapeText(target)}: ${changeText(request, roleWhenFiledIn(request, member, target))}`,
  );
  return `${name}: ${perTarget.join("; ")}${outcomeText(member)}`;
}

function changeText(request: RoleRequest, filed: string | null): string {
  const wanted = `*${escapeText(request.requestedRole.name)}*`;
  if (filed === null) return `not a member → ${wanted}`;
  if (isUnknownRole(filed)) return `_${escapeText(cut(filed, 200))}_ → ${wanted}`;
  if (request.kind === "ADD_TO_ORGS")
    return `already a member as ${escapeText(filed)}; adding overwrites it with ${wanted}`;
  return `${escapeText(filed)} → ${wanted}`;
}

function outcomeText(member: RequestMember): string {
  switch (member.outcome) {
    case "APPLIED":
      return "  ✅";
    case "ALREADY_IN_PLACE":
      return "  ✅ _already had it_";
    case "FAILED":
      return `  ❌ ${member.outcomeDetail ? `_${escapeText(cut(member.outcomeDetail, 300))}_` : ""}`;
    case "PENDING":
      return "";
  }
}

function statusLine(request: RoleRequest): string {
  const decider = request.decidedBy ? mention(request.decidedBy) : "";
  const when = request.decidedAt ? slackDate(request.decidedAt) : "";
  const note = request.decisionNote ? `: “${userText(request.decisionNote, 500)}”` : "";
  const id = `Request ${request.id}`;
  switch (request.status) {
    case "PENDING": {
      const missing = request.requiredApprovals - request.approvals.length;
      return `${id} · needs ${missing} more approval${missing === 1 ? "" : "s"} · expires ${slackDate(request.expiresAt)}`;
    }
    case "APPROVED":
      return request.failureDetail && request.nextAttemptAt
        ? `${id} · approved · the last attempt failed (${userText(request.failureDetail, 500)}); trying again ${slackDate(request.nextAttemptAt, "{time}")}`
        : `${id} · approved; applying shortly`;
    case "EXECUTING":
      return `${id} · applying now (attempt ${request.attempts})`;
    case "APPLIED":
      return `${id} · applied ${request.appliedAt ? slackDate(request.appliedAt) : ""}`;
    case "FAILED":
      return `${id} · failed: ${userText(request.failureDetail ?? "no detail", 1500)}${request.failureCode ? "" : " · an approver can retry"}`;
    case "DENIED":
      return `${id} · denied by ${decider} ${when}${note}`;
    case "CANCELLED":
      return `${id} · cancelled by ${decider} ${when}${note}`;
    case "EXPIRED":
      return `${id} · expired ${slackDate(request.expiresAt)}: nobody decided in ${durationText((request.expiresAt.getTime() - request.createdAt.getTime()) / 1000)}`;
  }
}

function requestButtons(request: RoleRequest): types.Button[] {
  if (request.status === "PENDING") {
    return [
      {
        type: "button",
        action_id: ACTIONS.approve,
        text: plain("Approve", LIMITS.buttonText),
        style: "primary",
        value: request.id,
      },
      {
        type: "button",
        action_id: ACTIONS.deny,
        text: plain("Deny…", LIMITS.buttonText),
        style: "danger",
        value: request.id,
      },
    ];
  }
  if (request.status === "APPROVED" && !lifecycleStateOf(request).started) {
    // Approved but not yet taken up (the executor is busy or down): it can still be stopped.
    return [
      {
        type: "button",
        action_id: ACTIONS.deny,
        text: plain("Deny…", LIMITS.buttonText),
        style: "danger",
        value: request.id,
      },
    ];
  }
  if (request.status === "FAILED" && !request.failureCode) {
    return [{ type: "button", action_id: ACTIONS.retry, text: plain("Retry", LIMITS.buttonText), value: request.id }];
  }
  return [];
}
