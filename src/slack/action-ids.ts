// Every action, view and block id rolegate's Slack surface uses, in one place, so the builders
// and the listeners cannot drift apart. Button values carry only the request id.

export const ACTIONS = {
  approve: "rolegate_approve",
  deny: "rolegate_deny",
  retry: "rolegate_retry",
  /** Withdraws a request not yet applied, from the requester's App Home. */
  cancel: "rolegate_cancel",
  /** Ends a time-bound grant now: "End now" on the card, "I'm done" in the requester's DM. */
  endEarly: "rolegate_end_early",
  /** A revert that failed: file a new request to the pre-grant role, decided like any change. */
  takeBack: "rolegate_take_back",
  /** A revert that failed: accept the member's role as it is, with a reason (opens a form). */
  acceptRevert: "rolegate_accept_revert",
  /** Asks for more time on a running grant, from the "ending soon" DM. */
  extend: "rolegate_extend",
  /** A change made outside rolegate: accept it, with a reason (opens a form). */
  keepOutside: "rolegate_keep_outside",
  /** A change made outside rolegate: file a request to put the previous role back. */
  revertOutside: "rolegate_revert_outside",
  /** A digest of changes outside rolegate: keep every one still open, with one reason. */
  keepAllOutside: "rolegate_keep_all_outside",
  formTarget: "rolegate_form_target",
  /** The next page of a /role history answer. */
  historyOlder: "rolegate_history_older",
} as const;

/**
 * Action ids must be unique within a block, so a block of several buttons of one kind (one
 * "Retry revert" per member) gives each its own id: the kind, a slash, and what tells them
 * apart. The listener matches the kind with or without a suffix.
 */
export const actionIdFor = (kind: string, suffix: string) => `${kind}/${suffix}`;
export const actionsOfKind = (kind: string) => new RegExp(`^${kind}(?:/.*)?$`);

export const VIEWS = {
  requestForm: "rolegate_request_form",
  denyForm: "rolegate_deny_form",
  acceptRevertForm: "rolegate_accept_revert_form",
  keepOutsideForm: "rolegate_keep_outside_form",
} as const;

/** block_id / action_id pairs of the request form's inputs; errors are keyed by block_id. */
export const FORM = {
  target: { block: "target", action: ACTIONS.formTarget },
  users: { block: "members_users", action: "members_users" },
  emails: { block: "members_emails", action: "members_emails" },
  role: { block: "role", action: "role" },
  teamRoles: { block: "team_roles", action: "team_roles" },
  duration: { block: "duration", action: "duration" },
  reason: { block: "reason", action: "reason" },
  denyReason: { block: "deny_reason", action: "deny_reason" },
  acceptReason: { block: "accept_reason", action: "accept_reason" },
  keepReason: { block: "keep_reason", action: "keep_reason" },
} as const;
