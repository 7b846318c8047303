// The request form's submission. What can be checked without the vendor is checked at once and
// shown inline; then the request is filed. If the vendor answers within the budget, its refusals
// (unknown member, unknown role) are shown inline too; if not, the form closes and the outcome
// arrives by DM — the person never waits on a spinner past Slack's three seconds.
import type { App, ViewOutput } from "@slack/bolt";
import { parseMembers, type MemberRef } from "../../../requests/grammar.js";
import type { RefusalField, Result } from "../../../requests/refusals.js";
import type { RoleRequest, TeamRole } from "../../../requests/types.js";
import { FORM, VIEWS } from "../../action-ids.js";
import { PERMANENT } from "../../blocks/forms.js";
import { escapeText } from "../../blocks/text.js";
import { readFormMetadata } from "../../view-metadata.js";
import { FAULT_MESSAGE, type ListenerDeps } from "../deps.js";

const FIELD_BLOCK: Record<RefusalField, string> = {
  target: FORM.target.block,
  members: FORM.emails.block,
  role: FORM.target.block, // the role list is redrawn from the target; an error there shows beside it
  teamRoles: FORM.teamRoles.block,
  duration: FORM.duration.block,
  reason: FORM.reason.block,
};

interface FormValues {
  target: string;
  members: MemberRef[];
  role: string;
  teamRoles: TeamRole[] | null;
  durationSeconds: number | null;
  reason: string;
}

/** Reads and checks the form; errors are keyed by block_id, as Slack shows them. */
function readForm(view: ViewOutput): { values: FormValues } | { errors: Record<string, string> } {
  const state = view.state.values;
  const errors: Record<string, string> = {};
  const target = state[FORM.target.block]?.[FORM.target.action]?.selected_option?.value;
  if (!target) errors[FORM.target.block] = "Pick a target.";

  const users = state[FORM.users.block]?.[FORM.users.action]?.selected_users ?? [];
  const typed = state[FORM.emails.block]?.[FORM.emails.action]?.value?.trim() ?? "";
  const members: MemberRef[] = users.map((userId) => ({ kind: "slack", userId }));
  if (typed) {
    const parsed = parseMembers(typed);
    if (typeof parsed === "string") errors[FORM.emails.block] = `${parsed[0]!.toUpperCase()}${parsed.slice(1)}.`;
    else members.push(...parsed);
  }
  if (members.length === 0 && !errors[FORM.emails.block])
    errors[FORM.emails.block] = "Name at least one member: pick people above or type their emails here.";

  const roleInput = state[FORM.role.block]?.[FORM.role.action];
  const role = roleInput?.selected_option?.value;
  if (target && !role) {
    if (roleInput) errors[FORM.role.block] = "Choose a role.";
    else errors[FORM.target.block] = "This target's roles are not loaded yet: pick it again.";
  }

  let teamRoles: TeamRole[] | null = null;
  const teamText = state[FORM.teamRoles.block]?.[FORM.teamRoles.action]?.value?.trim();
  if (teamText) {
    const pairs = teamText
      .split(",")
      .map((p) => p.trim())
      .filter(Boolean)
      .map((p) => p.split(":").map((s) => s.trim()));
    const bad = pairs.find((p) => p.length !== 2 || !p[0] || !p[1]);
    if (bad)
      errors[FORM.teamRoles.block] = `"${bad.join(":")}" is not team:role; write e.g. backend:admin, web:contributor.`;
    else teamRoles = pairs.map(([team, role]) => ({ team: team!, role: role! }));
  }

  const duration = state[FORM.duration.block]?.[FORM.duration.action]?.selected_option?.value;
  const durationSeconds = duration && duration !== PERMANENT ? Number(duration) : null;
  if (!duration) errors[FORM.duration.block] = "Choose how long the change lasts.";
  else if (durationSeconds !== null && !(Number.isInteger(durationSeconds) && durationSeconds > 0))
    errors[FORM.duration.block] = "Choose one of the lengths offered.";

  const reason = state[FORM.reason.block]?.[FORM.reason.action]?.value?.trim() ?? "";
  if (!reason) errors[FORM.reason.block] = "Say why the change is needed.";

  if (Object.keys(errors).length > 0) return { errors };
  return { values: { target: target!, members, role: role!, teamRoles, durationSeconds, reason } };
}

export function register(app: App, deps: ListenerDeps): void {
  app.view(VIEWS.requestForm, async ({ ack, body, view, client }) => {
    const read = readForm(view);
    if ("errors" in read) {
      await ack({ response_action: "errors", errors: read.errors });
      return;
    }
    const metadata = readFormMetadata(view.private_metadata);
    const requesterId = body.user.id;
    const filing = deps.filing
      .file({
        kind: "SET_ROLE",
        targets: [read.values.target],
        members: read.values.members,
        role: read.values.role,
        teamRoles: read.values.teamRoles,
        durationSeconds: read.values.durationSeconds,
        reason: read.values.reason,
        requesterId,
      })
      .catch((error: unknown): Result<RoleRequest> => {
        deps.logger.error("filing from the form failed", { user: requesterId, error });
        return { ok: false, refusal: { code: "invalid_request", message: FAULT_MESSAGE } };
      });

    const budget = new Promise<"late">((resolve) =>
      setTimeout(() => resolve("late"), deps.formBudgetMs ?? 2_000).unref(),
    );
    const early = await Promise.race([filing, budget]);
    if (early !== "late") {
      if (early.ok) return void (await ack({ response_action: "clear" }));
      if (early.refusal.field) {
        return void (await ack({
          response_action: "errors",
          errors: { [FIELD_BLOCK[early.refusal.field]]: early.refusal.message },
        }));
      }
    }
    // Too slow for an inline answer, or a refusal with no field to show it on: close the form
    // and say the outcome where the person will see it. A filed request sends its own DM.
    await ack({ response_action: "clear" });
    const result = await filing;
    if (!result.ok) {
      const text = `Your role request was not filed: ${escapeText(result.refusal.message)}`;
      await (metadata.channel
        ? client.chat
            .postEphemeral({ channel: metadata.channel, user: requesterId, text })
            .catch(() => client.chat.postMessage({ channel: requesterId, text }))
        : client.chat.postMessage({ channel: requesterId, text }));
    }
  });
}
