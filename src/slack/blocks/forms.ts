// The request form opened by /role, and the small deny form. Pure builders; the listeners fill
// the role list after a target is picked, because the roles come from the vendor and
// views.open must happen within Slack's three seconds.
import type { types } from "@slack/bolt";
import type { Target } from "../../config/file.js";
import type { VendorRole } from "../../vendors/connector.js";
import { traitsOf } from "../../vendors/traits.js";
import { durationText } from "../../requests/durations.js";
import { FORM, VIEWS } from "../action-ids.js";
import { LIMITS, mrkdwn, plain, userText } from "./text.js";

type View = types.ModalView;
type KnownBlock = types.KnownBlock;

/** Carried in private_metadata: where to answer, and which target the roles were read for. */
export interface FormMetadata {
  channel: string | null;
  target: string | null;
}

export type RoleChoices = { roles: VendorRole[] } | { error: string } | null;

export function requestForm(targets: readonly Target[], metadata: FormMetadata, choices: RoleChoices = null): View {
  const selected = targets.find((t) => t.name === metadata.target);
  const option = (t: Target) => ({
    text: plain(`${t.name} (${t.vendor} · ${t.organization})`, LIMITS.optionText),
    value: t.name,
  });
  const blocks: KnownBlock[] = [
    {
      type: "input",
      block_id: FORM.target.block,
      dispatch_action: true,
      label: plain("Target", 2000),
      element: {
        type: "static_select",
        action_id: FORM.target.action,
        placeholder: plain("Where should the role change?", LIMITS.placeholder),
        options: targets.slice(0, LIMITS.options).map(option),
        ...(selected ? { initial_option: option(selected) } : {}),
      },
    },
    {
      type: "input",
      block_id: FORM.users.block,
      optional: true,
      label: plain("Members (Slack)", 2000),
      element: {
        type: "multi_users_select",
        action_id: FORM.users.action,
        placeholder: plain("People in this workspace", LIMITS.placeholder),
      },
    },
    {
      type: "input",
      block_id: FORM.emails.block,
      optional: true,
      label: plain("Members (email or vendor id)", 2000),
      hint: plain("Separate several with commas: ada@example.com, id:1234", 2000),
      element: {
        type: "plain_text_input",
        action_id: FORM.emails.action,
        placeholder: plain("ada@example.com", LIMITS.placeholder),
      },
    },
    roleBlock(selected, choices),
  ];
  if (selected && traitsOf(selected.vendor).teamRoles.length > 0) {
    blocks.push({
      type: "input",
      block_id: FORM.teamRoles.block,
      optional: true,
      label: plain(`Team roles (${traitsOf(selected.vendor).displayName})`, 2000),
      hint: plain(
        "team:role pairs, e.g. backend:admin, web:contributor. Leave empty to keep the member's current team roles.",
        2000,
      ),
      element: { type: "plain_text_input", action_id: FORM.teamRoles.action },
    });
  }
  blocks.push(durationBlock(selected));
  blocks.push({
    type: "input",
    block_id: FORM.reason.block,
    label: plain("Reason", 2000),
    element: {
      type: "plain_text_input",
      action_id: FORM.reason.action,
      multiline: true,
      max_length: 2000,
      placeholder: plain("Why is this change needed?", LIMITS.placeholder),
    },
  });
  return {
    type: "modal",
    callback_id: VIEWS.requestForm,
    title: plain("Request a role", LIMITS.viewTitle),
    submit: plain("Request", LIMITS.viewTitle),
    close: plain("Cancel", LIMITS.viewTitle),
    private_metadata: JSON.stringify(metadata),
    blocks,
  };
}

/** The lengths offered for a time-bound grant; the command takes any ("for 90m"). */
const GRANT_LENGTHS_SECONDS = [3_600, 4 * 3_600, 8 * 3_600, 86_400, 3 * 86_400, 7 * 86_400, 30 * 86_400];
/** The duration picker's value for a permanent change. */
export const PERMANENT = "permanent";

/**
 * How long the change lasts. Slack cannot clear a select once chosen, so "Permanent" is an
 * option of its own, offered (and preselected) only where the target allows permanent changes
 * for some role; lengths past every role's maxDuration are not offered. The policy is checked
 * again on submit, per role, and its refusal is shown beside this picker.
 */
function durationBlock(target: Target | undefined): KnownBlock {
  const permanentAllowed = target?.requireDuration !== true;
  const caps = target?.maxDuration;
  const longest = caps && caps.default !== undefined ? Math.max(...Object.values(caps)) / 1000 : Infinity;
  const offered = GRANT_LENGTHS_SECONDS.filter((s) => s <= longest);
  const lengths = offered.length > 0 ? offered : [longest]; // every cap under an hour: offer the cap itself
  const permanent = { text: plain("Permanent", LIMITS.optionText), value: PERMANENT };
  const options = [
    ...(permanentAllowed ? [permanent] : []),
    ...lengths.map((s) => ({ text: plain(`For ${durationText(s)}`, LIMITS.optionText), value: String(s) })),
  ];
  return {
    type: "input",
    block_id: FORM.duration.block,
    label: plain("How long", 2000),
    hint: plain(
      "A time-bound change is taken back on its own when the time is up; the clock starts when it is applied.",
      2000,
    ),
    element: {
      type: "static_select",
      action_id: FORM.duration.action,
      placeholder: plain("Choose how long", LIMITS.placeholder),
      options,
      ...(permanentAllowed ? { initial_option: permanent } : {}),
    },
  };
}

function roleBlock(target: Target | undefined, choices: RoleChoices): KnownBlock {
  if (!target || choices === null) {
    return { type: "context", block_id: FORM.role.block, elements: [mrkdwn("Pick a target to see its roles.")] };
  }
  if ("error" in choices) {
    return {
      type: "context",
      block_id: FORM.role.block,
      elements: [
        mrkdwn(
          `⚠️ Could not read the roles of ${target.name}: ${userText(choices.error, 500)}. Pick the target again to retry.`,
        ),
      ],
    };
  }
  return {
    type: "input",
    block_id: FORM.role.block,
    label: plain(`Role in ${target.name}`, 2000),
    element: {
      type: "static_select",
      action_id: FORM.role.action,
      placeholder: plain("Choose a role", LIMITS.placeholder),
      // Slack refuses an option with an empty text or value, or two with one value: a role
      // without a usable id cannot be chosen, and a nameless one is shown by its id.
      options: uniqueBy(
        choices.roles.filter((r) => r.id.trim() !== "" && r.id.length <= 150),
        (r) => r.id,
      )
        .slice(0, LIMITS.options)
        .map((r) => ({ text: plain(r.name.trim() || r.id, LIMITS.optionText), value: r.id })),
    },
  };
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => !seen.has(key(item)) && seen.add(key(item)));
}

/** Carried by the accept form: which failed revert, and where to answer. */
export interface AcceptRevertMetadata {
  revertId: string;
  channel: string;
}

/** Asks for the reason a failed revert's member may keep the role they hold now. */
export function acceptRevertForm(summaryText: string, metadata: AcceptRevertMetadata): View {
  return reasonForm({
    callbackId: VIEWS.acceptRevertForm,
    title: "Accept as it is",
    submit: "Accept",
    input: FORM.acceptReason,
    label: "Why may the role stay as it is? (kept in the audit trail)",
    summaryText,
    metadata,
  });
}

/** A summary, and one required reason: what every "settle it as it is" form asks. */
function reasonForm(form: {
  callbackId: string;
  title: string;
  submit: string;
  input: { block: string; action: string };
  label: string;
  summaryText: string;
  metadata: object;
}): View {
  return {
    type: "modal",
    callback_id: form.callbackId,
    title: plain(form.title, LIMITS.viewTitle),
    submit: plain(form.submit, LIMITS.viewTitle),
    close: plain("Back", LIMITS.viewTitle),
    private_metadata: JSON.stringify(form.metadata),
    blocks: [
      { type: "section", text: mrkdwn(userText(form.summaryText, 2500)) },
      {
        type: "input",
        block_id: form.input.block,
        label: plain(form.label, 2000),
        element: { type: "plain_text_input", action_id: form.input.action, multiline: true, max_length: 1000 },
      },
    ],
  };
}

/** Keep one change made outside rolegate (`changeId`), or every open one of a card (`cardId`). */
export interface KeepOutsideMetadata {
  changeId: string | null;
  cardId: string | null;
  channel: string;
}

export function keepOutsideForm(summaryText: string, metadata: KeepOutsideMetadata): View {
  return reasonForm({
    callbackId: VIEWS.keepOutsideForm,
    title: "Keep the change",
    submit: "Keep",
    input: FORM.keepReason,
    label: "Why may it stay? (kept in the ledger)",
    summaryText,
    metadata,
  });
}

export interface DenyMetadata {
  requestId: string;
  channel: string;
}

export function denyForm(requestId: string, summaryText: string, metadata: DenyMetadata): View {
  return {
    type: "modal",
    callback_id: VIEWS.denyForm,
    title: plain(`Deny ${requestId}`, LIMITS.viewTitle),
    submit: plain("Deny", LIMITS.viewTitle),
    close: plain("Back", LIMITS.viewTitle),
    private_metadata: JSON.stringify(metadata),
    blocks: [
      { type: "section", text: mrkdwn(userText(summaryText, 2500)) },
      {
        type: "input",
        block_id: FORM.denyReason.block,
        optional: true,
        label: plain("Reason (the requester sees it)", 2000),
        element: { type: "plain_text_input", action_id: FORM.denyReason.action, multiline: true, max_length: 1000 },
      },
    ],
  };
}
