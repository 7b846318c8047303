// The App Home tab. For everyone: "My access" (running time-bound grants with their end and an
// I'm-done button), "My open requests" (with Cancel) and recent requests. For an approver:
// "Waiting on me", with Approve and Deny buttons that carry the same action ids as the card's,
// so a click here is decided exactly like a click there.
import type { types } from "@slack/bolt";
import { FULL_USAGE } from "../../requests/grammar.js";
import { STATUS_PHRASE } from "../../requests/refusals.js";
import type { TargetCounts } from "../../inventory/inventory-desk.js";
import type { RoleRequest } from "../../requests/types.js";
import { ACTIONS } from "../action-ids.js";
import { summary } from "./approval-card.js";
import { grantState } from "./grant.js";
import { historyMessage } from "./history.js";
import { escapeText, LIMITS, mention, mrkdwn, plain, slackDate, userText } from "./text.js";

type KnownBlock = types.KnownBlock;

interface RunningGrant {
  grant: RoleRequest;
  reverts: RoleRequest[];
}

export interface HomeContent {
  grants: RunningGrant[];
  /** The person's own requests not decided or not yet applied: PENDING, or APPROVED and waiting. */
  open: RoleRequest[];
  /** Pending requests this approver may decide; null for someone who approves nothing. */
  waiting: RoleRequest[] | null;
  recent: RoleRequest[];
  /** For an approver: who holds each privileged role in the targets they approve; null otherwise. */
  access?: TargetCounts[] | null;
}

/** How many rows each list shows; the tab holds at most 100 blocks. */
export const HOME_LIST_LIMIT = 10;

export function homeView(content: HomeContent): types.HomeView {
  const blocks: KnownBlock[] = [
    { type: "header", text: plain("rolegate", LIMITS.header) },
    {
      type: "section",
      text: mrkdwn(
        "Every change of a role in our SaaS tools goes through an approval here. Type `/role` anywhere to ask.",
      ),
    },
    ...(content.waiting ? [{ type: "divider" } as const, ...waitingBlocks(content.waiting)] : []),
    ...(content.access ? [{ type: "divider" } as const, ...accessBlocks(content.access)] : []),
    { type: "divider" },
    ...grantBlocks(content.grants),
    { type: "divider" },
    ...openBlocks(content.open),
    { type: "divider" },
    ...historyMessage(content.recent, "Your recent requests").blocks,
    { type: "divider" },
    { type: "section", text: mrkdwn(escapeText(FULL_USAGE)) },
  ];
  return { type: "home", blocks: blocks.slice(0, LIMITS.viewBlocks) };
}

function heading(text: string, items: readonly unknown[], none: string): KnownBlock[] {
  const more =
    items.length > HOME_LIST_LIMIT ? ` — the first ${HOME_LIST_LIMIT}; \`/role history\` lists them all` : "";
  return [{ type: "section", text: mrkdwn(items.length === 0 ? `*${text}*: ${none}` : `*${text}*${more}`) }];
}

/** "Who holds what": per target, the privileged roles' holders counted, and changes outside rolegate waiting. */
function accessBlocks(access: TargetCounts[]): KnownBlock[] {
  const lines = access.slice(0, 40).map((t) => {
    const held =
      t.privileged.length > 0
        ? t.privileged.map((p) => `${userText(p.role.name, 60)} ${p.count}`).join(" · ")
        : "no privileged roles held (or not synced yet)";
    const open = t.openChanges > 0 ? ` · ⚠ ${t.openChanges} change(s) outside rolegate to decide` : "";
    return `• *${userText(t.target, 60)}*: ${held}${open}`;
  });
  return [
    {
      type: "section",
      text: mrkdwn(`*Who holds what* (\`/role who <target>\` lists them)\n${lines.join("\n")}`),
    },
  ];
}

function waitingBlocks(waiting: RoleRequest[]): KnownBlock[] {
  const blocks = heading("Waiting on me", waiting, "nothing waits for your decision.");
  for (const request of waiting.slice(0, HOME_LIST_LIMIT)) {
    blocks.push({
      type: "section",
      text: mrkdwn(
        `*${request.id}* · ${userText(summary(request), 600)}\nasked by ${mention(request.requesterId)}: _${userText(request.reason, 400)}_ · expires ${slackDate(request.expiresAt)}`,
      ),
    });
    blocks.push({
      type: "actions",
      block_id: `home_decide_${request.id}`,
      elements: [
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
          text: plain("Deny", LIMITS.buttonText),
          style: "danger",
          value: request.id,
        },
      ],
    });
  }
  return blocks;
}

function grantBlocks(grants: RunningGrant[]): KnownBlock[] {
  const blocks = heading("My access", grants, "no time-bound access running.");
  for (const { grant, reverts } of grants.slice(0, HOME_LIST_LIMIT)) {
    const state = grantState(grant, reverts);
    const end = grant.grantEndsAt ? slackDate(grant.grantEndsAt) : "soon";
    const line =
      state === "revert_failed"
        ? "🚨 could not be taken back; the approvers have been told"
        : state === "ending"
          ? "⏱️ being taken back now"
          : `⏱️ ends ${end}`;
    const section: types.SectionBlock = {
      type: "section",
      text: mrkdwn(`*${grant.id}* · ${userText(summary(grant), 600)}\n${line}`),
    };
    if (state === "running")
      section.accessory = {
        type: "button",
        action_id: ACTIONS.endEarly,
        text: plain("I'm done", LIMITS.buttonText),
        value: grant.id,
      };
    blocks.push(section);
  }
  return blocks;
}

function openBlocks(open: RoleRequest[]): KnownBlock[] {
  const blocks = heading("My open requests", open, "none waiting.");
  for (const request of open.slice(0, HOME_LIST_LIMIT)) {
    const section: types.SectionBlock = {
      type: "section",
      text: mrkdwn(
        `*${request.id}* · ${STATUS_PHRASE[request.status]} · ${userText(summary(request), 600)}\n${request.approvals.length} of ${request.requiredApprovals} approvals`,
      ),
    };
    // Once an executor has taken it up, the vendor may already have been called: too late to cancel.
    const stoppable = request.status === "PENDING" || (request.status === "APPROVED" && request.attempts === 0);
    if (stoppable)
      section.accessory = {
        type: "button",
        action_id: ACTIONS.cancel,
        text: plain("Cancel", LIMITS.buttonText),
        value: request.id,
      };
    blocks.push(section);
  }
  return blocks;
}
