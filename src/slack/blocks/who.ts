// `/role who <target> [<role>]`: who holds which role now, grouped by role, most privileged
// first, each with why and since when, and how old the data is. Within Slack's limits: each
// role's members in one section (25 at most, the rest counted).
import type { types } from "@slack/bolt";
import { durationText } from "../../requests/durations.js";
import type { WhoAnswer } from "../../inventory/inventory-desk.js";
import type { SyncReport } from "../../inventory/inventory-sync.js";
import type { RosterRow } from "../../inventory/ledger-views.js";
import { LIMITS, mention, mrkdwn, plain, slackDate, userText } from "./text.js";

export function whoMessage(answer: WhoAnswer, now: Date): { text: string; blocks: types.KnownBlock[] } {
  const { status } = answer;
  const age = status?.syncedAt
    ? `synced ${durationText(Math.max(60, Math.round((now.getTime() - status.syncedAt.getTime()) / 1000)))} ago`
    : "not synced yet";
  const title = `Who holds what in ${answer.target}${answer.role ? ` (${answer.role})` : ""} — ${age}`;
  const blocks: types.KnownBlock[] = [{ type: "header", text: plain(title, LIMITS.header) }];
  const notes: string[] = [];
  if (answer.everyMs === null) notes.push("This target's inventory is off in rolegate.yml.");
  if (status?.lastOutcome && status.lastOutcome !== "complete" && status.lastProblem)
    notes.push(`⚠ The last sync could not read everything: ${userText(status.lastProblem, 600)}`);
  if (status?.syncing) notes.push("A sync is under way.");
  if (status && status.openChanges > 0)
    notes.push(`⚠ ${status.openChanges} change(s) made outside rolegate wait for an approver on their cards.`);
  if (notes.length > 0) blocks.push({ type: "context", elements: [mrkdwn(notes.join(" "), LIMITS.contextText)] });

  if (answer.groups.length === 0) {
    const none = status?.syncedAt
      ? answer.role
        ? `Nobody holds ${userText(answer.role, 100)} in ${userText(answer.target, 100)}.`
        : "The last sync found no members."
      : `rolegate has not read ${userText(answer.target, 100)}'s members yet; \`/role sync ${userText(answer.target, 100)}\` reads them now.`;
    blocks.push({ type: "section", text: mrkdwn(none) });
  }
  for (const group of answer.groups.slice(0, LIMITS.messageBlocks - blocks.length)) {
    const lines = group.members.map((m) => `• ${userText(m.email ?? `id:${m.vendorUserId}`, 120)} — ${why(m)}`);
    const more = group.total - group.members.length;
    const text = `*${userText(group.role.name, 100)}*${group.privileged ? " 🔑" : ""} (${group.total})\n${lines.join("\n")}${more > 0 ? `\n…and ${more} more` : ""}`;
    blocks.push({ type: "section", text: mrkdwn(text) });
  }
  return { text: title, blocks };
}

/** The DM to whoever asked for a sync: how it went, in a sentence or two. */
export function syncReportText(report: SyncReport): string {
  const target = userText(report.target, 100);
  if (report.outcome === "lease_lost")
    return `The sync of ${target} was taken over by another rolegate replica; it finishes there.`;
  const found =
    report.changes === 0
      ? "no changes"
      : `${report.changes} change(s)${report.alerts.length > 0 ? `, ${report.alerts.length} of them on a card in the approval channel for a decision` : ""}`;
  const head =
    report.outcome === "complete"
      ? `Synced ${target}: ${report.members} members read in ${report.calls} call(s), ${found}.`
      : `The sync of ${target} read ${report.members} members but not everything; nobody was marked as removed. ${found[0]!.toUpperCase()}${found.slice(1)}.`;
  const problems = report.problems.length > 0 ? `\n${userText(report.problems.join("; "), 1500)}` : "";
  return `${head}${problems}`;
}

function why(m: RosterRow): string {
  const since = `since ${slackDate(m.since, "{date_short}")}`;
  switch (m.reason) {
    case "REQUEST":
      return `request ${userText(m.requestId ?? "?", 16)}${m.grantEndsAt ? `, until ${slackDate(m.grantEndsAt, "{time} {date_short}")}` : ""}, ${since}`;
    case "BEFORE_ROLEGATE":
      return `held before rolegate, ${since}`;
    case "ACCEPTED":
      return `changed outside rolegate, kept by ${mention(m.keptBy ?? "")}, ${since}`;
    case "OUTSIDE":
      return `changed outside rolegate${m.outsideStatus === "OPEN" ? " ⚠ undecided" : ""}, ${since}`;
  }
}
