// /role: parse, answer at once (Slack allows three seconds), then do the slow part — vendor
// lookups, database queries — and replace the first answer with the result. Every reply is
// ephemeral; only the approval card is public.
import type { App, RespondArguments, SlashCommand } from "@slack/bolt";
import { approvalChannelFor } from "../../../config/file.js";
import { FULL_USAGE, parseRoleCommand, type HistoryFilter, type RoleCommand } from "../../../requests/grammar.js";
import type { HistoryQuery } from "../../../requests/store/request-repo.js";
import { canSee, viewerOf, type Viewer } from "../../../requests/visibility.js";
import { historyMessage, showMessage, targetsMessage } from "../../blocks/history.js";
import { olderPage } from "../../history-page.js";
import { requestForm } from "../../blocks/forms.js";
import { escapeText } from "../../blocks/text.js";
import { FAULT_MESSAGE, type ListenerDeps } from "../deps.js";
import { loadRoleChoices } from "../views/role-choices.js";

export function register(app: App, deps: ListenerDeps): void {
  app.command("/role", async ({ command, ack, respond, client }) => {
    const parsed = parseRoleCommand(command.text ?? "", new Set(deps.config.targets.keys()));
    if (!parsed.ok) {
      // Both echo what was typed and carry <placeholders>: escape, or Slack reads them as markup.
      await ack({ response_type: "ephemeral", text: escapeText(`${parsed.error}\n\n${parsed.usage}`) });
      return;
    }
    const reply = (message: RespondArguments) => respond({ response_type: "ephemeral", replace_original: true, ...message });
    try {
      await handle(parsed.command, command, { ack, reply, client, deps });
    } catch (error) {
      deps.logger.error("/role failed", { subcommand: parsed.command.type, user: command.user_id, error });
      await reply({ text: FAULT_MESSAGE }).catch(() => {});
    }
  });
}

interface Context {
  ack: (message?: string | RespondArguments) => Promise<void>;
  reply: (message: RespondArguments) => Promise<unknown>;
  client: App["client"];
  deps: ListenerDeps;
}

async function handle(command: RoleCommand, slash: SlashCommand, { ack, reply, client, deps }: Context): Promise<void> {
  switch (command.type) {
    case "help":
      await ack({ response_type: "ephemeral", text: escapeText(FULL_USAGE) });
      return;

    case "form": {
      await ack();
      const targets = [...deps.config.targets.values()];
      // With one target there is nothing to pick: open with it chosen and fill in its roles.
      const only = targets.length === 1 ? targets[0]!.name : null;
      const metadata = { channel: slash.channel_id, target: only };
      const opened = await client.views.open({ trigger_id: slash.trigger_id, view: requestForm(targets, metadata) });
      if (only && opened.view?.id) {
        const choices = await loadRoleChoices(deps, only);
        await client.views.update({ view_id: opened.view.id, ...(opened.view.hash ? { hash: opened.view.hash } : {}), view: requestForm(targets, metadata, choices) });
      }
      return;
    }

    case "set":
    case "add": {
      const targets = command.type === "set" ? [command.target] : command.targets;
      await ack({ response_type: "ephemeral", text: `Reading the current role${command.members.length > 1 ? "s" : ""} in ${escapeText(targets.join(", "))}…` });
      const result = await deps.filing.file({
        kind: command.type === "set" ? "SET_ROLE" : "ADD_TO_ORGS",
        targets,
        members: command.members,
        role: command.role,
        ...(command.type === "set" ? { durationSeconds: command.durationSeconds } : {}),
        reason: command.reason,
        requesterId: slash.user_id,
      });
      await afterDecision(
        reply({
          text: result.ok
            ? `Request *${result.value.id}* filed: approvers have been asked in <#${approvalChannelFor(deps.config, result.value.target)}>. I'll DM you as it moves.`
            : `Nothing was filed: ${escapeText(result.refusal.message)}`,
        }),
        deps,
      );
      return;
    }

    case "history": {
      await ack();
      const query = await historyQuery(command.filter, slash.user_id, deps);
      if (typeof query === "string") {
        await reply({ text: query });
        return;
      }
      const viewer = await viewerOf(slash.user_id, deps.config, deps.policy);
      const requests = await deps.repo.history(query, command.limit, { viewer, allTargets: [...deps.config.targets.keys()] });
      const page = { query, heading: historyHeading(command.filter), note: onlyOwnNote(command.filter, viewer), limit: command.limit };
      const message = historyMessage(requests, page.heading, page.note, olderPage(page, requests));
      await reply({ text: message.text, blocks: message.blocks });
      return;
    }

    case "show": {
      await ack();
      const request = await deps.service.find(command.id);
      // The same answer whether it does not exist or is not theirs to see: an id is no oracle.
      if (!request || !canSee(await viewerOf(slash.user_id, deps.config, deps.policy), request)) {
        await reply({ text: `There is no request ${command.id} that you can see: you see your own requests and those of the targets you approve. \`/role history\` lists them.` });
        return;
      }
      const reverts = request.durationSeconds !== null ? await deps.repo.revertsOf(request.id) : [];
      const message = showMessage(request, await deps.repo.auditTrail(request.id), deps.config.targets, reverts);
      await reply({ text: message.text, blocks: message.blocks });
      return;
    }

    case "cancel": {
      await ack();
      const result = await deps.service.cancel(command.id, slash.user_id);
      await afterDecision(reply({ text: result.ok ? `Request *${command.id}* is cancelled.` : escapeText(result.refusal.message) }), deps);
      return;
    }

    case "targets": {
      await ack({ response_type: "ephemeral", text: "Reading each target's roles…" });
      const entries = await Promise.all(
        [...deps.config.targets.keys()].map(async (name) => {
          const choices = await loadRoleChoices(deps, name);
          return { name, roles: choices && "roles" in choices ? choices.roles.map((r) => r.name) : (choices?.error ?? "unknown") };
        }),
      );
      const message = targetsMessage(entries, deps.config.targets);
      await reply({ text: message.text, blocks: message.blocks });
      return;
    }
  }
}

/**
 * The answer after the outcome is decided (and, if anything changed, committed). A failure to
 * deliver it must not reach the catch-all, whose "nothing was changed" would then be untrue;
 * the requester's DM tells them what happened instead.
 */
async function afterDecision(answer: Promise<unknown>, deps: ListenerDeps): Promise<void> {
  await answer.catch((error: unknown) => deps.logger.warn("could not answer /role after the outcome was recorded", { error }));
}

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
      return email ? { kind: "member", email } : `<@${member.userId}> has no email address rolegate can see; search by email instead.`;
    }
  }
}

/** Said when the list leaves out requests the person may not see, so an empty list is not misread. */
function onlyOwnNote(filter: HistoryFilter, viewer: Viewer): string | null {
  if (filter.kind === "target" && !viewer.approves.has(filter.target)) {
    return `You do not approve ${filter.target}, so only your own requests for it are listed.`;
  }
  if (viewer.approves.size === 0 && filter.kind !== "mine") return "You approve no target, so only your own requests are listed.";
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
