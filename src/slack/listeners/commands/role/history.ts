// `/role history [filter] [n]`: the newest requests the person may see, with "Older requests"
// when the page is full.
import type { HistoryFilter } from "../../../../requests/grammar.js";
import type { HistoryQuery } from "../../../../requests/history.js";
import { viewerOf, type Viewer } from "../../../../requests/visibility.js";
import { historyMessage } from "../../../blocks/history.js";
import { olderPage } from "../../../history-page.js";
import type { ListenerDeps } from "../../deps.js";
import type { SubcommandHandler } from "./context.js";

export const showHistory: SubcommandHandler<"history"> = async (command, { ack, reply, deps, slash }) => {
  await ack();
  const query = await historyQuery(command.filter, slash.user_id, deps);
  if (typeof query === "string") {
    await reply({ text: query });
    return;
  }
  const viewer = await viewerOf(slash.user_id, deps.config, deps.policy);
  const requests = await deps.history.list(query, command.limit, {
    viewer,
    allTargets: [...deps.config.targets.keys()],
  });
  const page = {
    query,
    heading: historyHeading(command.filter),
    note: onlyOwnNote(command.filter, viewer),
    limit: command.limit,
  };
  const message = historyMessage(requests, page.heading, page.note, (shown) => olderPage(page, shown, requests.length));
  await reply({ text: message.text, blocks: message.blocks });
};

async function historyQuery(filter: HistoryFilter, userId: string, deps: ListenerDeps): Promise<HistoryQuery | string> {
  switch (filter.kind) {
    case "all":
    case "pending":
      return { kind: filter.kind };
    case "mine":
      return { kind: "requester", userId };
    case "target":
      return { kind: "target", target: filter.target };
    case "member": {
      const member = filter.member;
      if (member.kind === "email") return { kind: "member", email: member.email };
      if (member.kind === "vendor_id") return { kind: "member", vendorUserId: member.id };
      const email = await deps.slackUsers.emailOf(member.userId);
      return email
        ? { kind: "member", email }
        : `<@${member.userId}> has no email address rolegate can see; search by email instead.`;
    }
  }
}

/** Said when the list leaves out requests the person may not see, so an empty list is not misread. */
function onlyOwnNote(filter: HistoryFilter, viewer: Viewer): string | null {
  if (filter.kind === "target" && !viewer.approves.has(filter.target)) {
    return `You do not approve ${filter.target}, so only your own requests for it are listed.`;
  }
  if (viewer.approves.size === 0 && filter.kind !== "mine")
    return "You approve no target, so only your own requests are listed.";
  return null;
}

function historyHeading(filter: HistoryFilter): string {
  switch (filter.kind) {
    case "all":
      return "Recent requests";
    case "mine":
      return "Your requests";
    case "pending":
      return "Waiting for a decision";
    case "target":
      return `Requests for ${filter.target}`;
    case "member":
      return `Requests for ${filter.member.kind === "email" ? filter.member.email : filter.member.kind === "vendor_id" ? `id:${filter.member.id}` : "that person"}`;
  }
}
