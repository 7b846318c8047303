// The App Home tab: how to use rolegate, the person's own recent requests, and — for approvers —
// what is waiting for a decision.
import type { types } from "@slack/bolt";
import { FULL_USAGE } from "../../requests/grammar.js";
import type { RoleRequest } from "../../requests/types.js";
import { historyMessage } from "./history.js";
import { escapeText, LIMITS, mrkdwn, plain } from "./text.js";

export function homeView(mine: RoleRequest[], waiting: RoleRequest[] | null): types.HomeView {
  const blocks: types.KnownBlock[] = [
    { type: "header", text: plain("rolegate", LIMITS.header) },
    { type: "section", text: mrkdwn("Every change of a role in our SaaS tools goes through an approval here. Type `/role` anywhere to ask.") },
    { type: "section", text: mrkdwn(escapeText(FULL_USAGE)) },
    { type: "divider" },
    ...historyMessage(mine, "Your recent requests").blocks,
  ];
  if (waiting) blocks.push({ type: "divider" }, ...historyMessage(waiting, "Waiting for a decision").blocks);
  return { type: "home", blocks: blocks.slice(0, LIMITS.viewBlocks) };
}
