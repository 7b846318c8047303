// The card that shows a sync's changes made outside rolegate: one change, or a digest of many (a
// bulk import makes one card, not a storm). Each change still open has Keep… and Revert to
// <role>; a revert rolegate ran that did not take effect is 🚨, the rest ⚠. Past what one message
// may hold, the rest are counted, with Keep all remaining… for the bulk case.
import type { types } from "@slack/bolt";
import { memberName, type AlertCard, type OutsideChange } from "../../inventory/outside-changes.js";
import { ACTIONS, actionIdFor } from "../action-ids.js";
import { LIMITS, mention, mrkdwn, plain, slackDate, userText } from "./text.js";

/** Changes shown one by one (two blocks each), within Slack's 50 blocks a message. */
const SHOWN = 20;

export function outsideChangeCard(card: AlertCard): { text: string; blocks: types.KnownBlock[] } {
  const open = card.changes.filter((c) => c.status === "OPEN").length;
  const urgent = card.changes.some((c) => c.failedRevertOf && c.status === "OPEN");
  const target = userText(card.target, 100);
  const blocks: types.KnownBlock[] = [];
  let text: string;
  if (card.changes.length === 1) {
    text = sentence(card.changes[0]!);
  } else {
    text = `${urgent ? "🚨" : "⚠"} ${card.changes.length} changes made outside rolegate in ${target}`;
    blocks.push({
      type: "header",
      text: plain(
        `${urgent ? "🚨" : "⚠️"} ${card.changes.length} changes outside rolegate in ${card.target}`,
        LIMITS.header,
      ),
    });
    blocks.push({
      type: "context",
      elements: [
        mrkdwn(
          `Found by the sync of ${slackDate(card.changes[0]!.observedAt)}. ${open} wait for an approver: Keep (with a reason) or Revert to the previous role. The member never decides.`,
          LIMITS.contextText,
        ),
      ],
    });
  }
  for (const change of card.changes.slice(0, SHOWN)) blocks.push(...changeBlocks(change));
  const rest = card.changes.slice(SHOWN);
  if (rest.length > 0) {
    const restOpen = rest.filter((c) => c.status === "OPEN").length;
    blocks.push({
      type: "section",
      text: mrkdwn(
        `…and ${rest.length} more (${restOpen} still open): ${rest
          .slice(0, 30)
          .map((c) => `${userText(memberName(c), 80)} → ${userText(c.to?.name ?? "left", 40)}`)
          .join(", ")}${rest.length > 30 ? ", …" : ""}. \`/role who ${target}\` lists everyone.`,
      ),
    });
  }
  if (card.changes.length > 1 && open > 0) {
    blocks.push({
      type: "actions",
      elements: [
        {
          type: "button",
          action_id: ACTIONS.keepAllOutside,
          text: plain(`Keep all ${open} open…`, LIMITS.buttonText),
          value: card.id.toString(),
        },
      ],
    });
  }
  return { text: text.slice(0, 3_000), blocks };
}

/** "⚠ ada@example.com became Owner in sentry-acme outside rolegate (between 13:05 and 14:05; was Member)". */
function sentence(change: OutsideChange): string {
  const who = `*${userText(memberName(change), 200)}*`;
  const where = userText(change.target, 100);
  const to = userText(change.to?.name ?? "", 100);
  const from = userText(change.from?.name ?? "", 100);
  if (change.failedRevertOf)
    return `🚨 ${who} still holds *${to}* in ${where}: rolegate's revert ${userText(change.failedRevertOf, 16)} to ${from} did not take effect.`;
  const when = change.notBefore
    ? ` (between ${slackDate(change.notBefore, "{time} {date_short}")} and ${slackDate(change.observedAt, "{time} {date_short}")}`
    : ` (seen ${slackDate(change.observedAt, "{time} {date_short}")}`;
  if (!change.to) return `⚠ ${who} left ${where} outside rolegate${when}; was ${from})`;
  if (!change.from) return `⚠ ${who} joined ${where} as *${to}* outside rolegate${when})`;
  if (change.from.id === change.to.id)
    return `⚠ ${who}'s team roles in ${where} changed outside rolegate${when}; role ${to})`;
  return `⚠ ${who} became *${to}* in ${where} outside rolegate${when}; was ${from})`;
}

function changeBlocks(change: OutsideChange): types.KnownBlock[] {
  const section: types.KnownBlock = { type: "section", text: mrkdwn(`${sentence(change)}${outcome(change)}`) };
  if (change.status !== "OPEN") return [section];
  const id = change.id.toString();
  const buttons: types.Button[] = [
    {
      type: "button",
      action_id: actionIdFor(ACTIONS.keepOutside, id),
      text: plain("Keep…", LIMITS.buttonText),
      value: id,
    },
  ];
  if (change.from && change.to)
    buttons.push({
      type: "button",
      action_id: actionIdFor(ACTIONS.revertOutside, id),
      text: plain(`Revert to ${change.from.name}`, LIMITS.buttonText),
      style: "danger",
      value: id,
      confirm: {
        title: plain("Revert this change?", LIMITS.viewTitle),
        text: plain(
          `This files a request to put ${memberName(change)} back as ${change.from.name} in ${change.target}. It is decided like any change: its approvals, then rolegate applies it.`,
          300,
        ),
        confirm: plain("File the revert", 30),
        deny: plain("Cancel", 30),
      },
    });
  return [section, { type: "actions", elements: buttons }];
}

/** What became of a decided change, after its sentence. */
function outcome(change: OutsideChange): string {
  switch (change.status) {
    case "OPEN":
      return "";
    case "KEPT":
      return `\n✅ Kept by ${mention(change.decidedBy ?? "")}: ${userText(change.reason ?? "", 500)}`;
    case "REVERTING":
      return `\n↩️ ${mention(change.decidedBy ?? "")} filed request *${userText(change.revertRequestId ?? "", 16)}* to revert it.`;
    case "SETTLED":
      return "\n➖ Settled: the role changed again before anyone decided.";
  }
}
