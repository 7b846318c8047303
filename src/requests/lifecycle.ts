// The request state machine, pure: given what is known about a request and a command, it says
// what happens — the next status and the audit event — or why the command is refused.
//
//   PENDING ──approvals reach the number required──▶ APPROVED ──claim──▶ EXECUTING ──▶ APPLIED
//      │                                               │ ▲   ▲                 │
//      ├─any one deny──▶ DENIED ◀──deny, not started───┤ │   └──transient──────┤ (retry later)
//      ├─requester cancels──▶ CANCELLED ◀──cancel──────┘ │                     ▼
//      └─pendingTtl passes──▶ EXPIRED                    └──approver: retry── FAILED
//
// Nothing else is allowed. decide() rules on people's commands; SYSTEM_TRANSITIONS lists what
// rolegate does by itself. Both are written through one conditional write (store/writes.ts) on
// the status they were computed from, so two clicks or two processes can never both win.
import type { Direction } from "./access-direction.js";
import { windowText } from "./durations.js";
import type { NoticeType } from "./notifier.js";
import { STATUS_PHRASE, type Refusal, type RefusalCode } from "./refusals.js";
import { isUnknownRole, type Approval, type AuditEventType, type RequestStatus, type RoleRequest } from "./types.js";

export interface LifecycleState {
  status: RequestStatus;
  requesterId: string;
  expiresAt: Date;
  requiredApprovals: number;
  /** Who has approved so far, and when. */
  approvals: readonly Approval[];
  /** Every member's current role was read from the vendor and is on the card. */
  rolesKnown: boolean;
  /** An executor has taken the request up at least once: cancel and deny come too late. */
  started: boolean;
  /** Why it failed, when a retry cannot help ("state_changed"). */
  failureCode: string | null;
  /** Puts a member back after a time-bound grant: it only takes access away. */
  isRevert: boolean;
}

/**
 * Whether the person clicking has access at stake: one of the request's members (by email or
 * vendor id), and which way the request moves that member's access (`change`; absent: not
 * known, which refuses like the direction that would be refused). `unverified`: the lookup that
 * would tell failed, which refuses like `member`.
 */
export type OwnAccess =
  { kind: "none" } | { kind: "member"; ref: string; change?: Direction } | { kind: "unverified"; why: string };

/**
 * What is known about the person deciding, asked before the row lock (it may call Slack or a
 * vendor). `approvers` says, for each person who has approved so far, whether they are still an
 * approver: an approval counts only while its giver is one.
 */
export interface Standing {
  mayDecide: boolean;
  /** The requester is still among the target's requesters (rolegate.yml). */
  requesterMayAsk: boolean;
  ownAccess: OwnAccess;
  approvers: ReadonlyMap<string, boolean>;
}

export type Command =
  | { type: "approve"; actor: string; standing: Standing; now: Date }
  /** `ownAccess`: looked up only where the request lowers someone (deny never grants otherwise). */
  | { type: "deny"; actor: string; mayDecide: boolean; ownAccess?: OwnAccess; now: Date }
  | { type: "cancel"; actor: string; now: Date }
  | { type: "retry"; actor: string; standing: Standing; now: Date; retryWindowMs: number };

/** The events a person's decision records. */
export type PersonEvent = "APPROVED" | "DENIED" | "CANCELLED" | "RETRIED";

export type Decision =
  | { ok: true; to: RequestStatus; event: PersonEvent; approvalsGiven?: number; lapsed?: string[] }
  /**
   * `expire`: the command came too late; the request is to be recorded as EXPIRED.
   * `recheck`: someone approved after the standing was read; read it again and decide anew.
   */
  | { ok: false; refusal: Refusal; expire?: boolean; recheck?: boolean };

const refused = (code: RefusalCode, message: string, expire = false): Decision =>
  expire ? { ok: false, refusal: { code, message }, expire } : { ok: false, refusal: { code, message } };

const isExpired = (state: LifecycleState, now: Date) =>
  state.status === "PENDING" && now.getTime() >= state.expiresAt.getTime();

/**
 * PENDING, or APPROVED and not yet taken up: a deny or a cancel can still stop it — unless it
 * is a revert, which nobody may stop: it ends access that was granted only for a while.
 */
const stoppable = (state: LifecycleState) =>
  !state.isRevert && (state.status === "PENDING" || (state.status === "APPROVED" && !state.started));

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function alreadyDecided(state: LifecycleState): Decision {
  if (state.status === "EXPIRED")
    return refused("expired", "This request expired without a decision. File a new one with /role.");
  return refused("already_decided", `Nothing to decide: this request was already ${STATUS_PHRASE[state.status]}.`);
}

/**
 * The refusal for a person whose own access is at stake, or null. `allowed`: the directions in
 * which the decision would not leave them with more access than the alternative (absent: none).
 */
function ownAccessRefusal(ownAccess: OwnAccess, verb: string, allowed: readonly Direction[] = []): Decision | null {
  switch (ownAccess.kind) {
    case "none":
      return null;
    case "member":
      if (ownAccess.change && allowed.includes(ownAccess.change)) return null;
      return refused(
        "own_access",
        allowed.length === 0
          ? `You can't ${verb} this request: it changes your own access (${ownAccess.ref}). Another approver has to decide it.`
          : `You can't ${verb} this: it would leave you (${ownAccess.ref}) with more access than the alternative. Another approver has to decide it.`,
      );
    case "unverified":
      return refused(
        "own_access_unverified",
        `rolegate could not check that this request does not change your own access (${ownAccess.why}), so it did not count your click. Try again in a minute.`,
      );
  }
}

/** Approvals whose giver is still an approver; null when one was given after the standing was read. */
function countingApprovals(state: LifecycleState, standing: Standing): { counting: string[]; lapsed: string[] } | null {
  const ids = state.approvals.map((a) => a.approverId);
  if (ids.some((id) => !standing.approvers.has(id))) return null;
  return {
    counting: ids.filter((id) => standing.approvers.get(id)),
    lapsed: ids.filter((id) => !standing.approvers.get(id)),
  };
}

const requesterNotAllowed = () =>
  refused(
    "requester_not_allowed",
    "The requester may no longer ask for changes in this target (rolegate.yml's requesters), so this request cannot be approved.",
  );

const RECHECK: Decision = {
  ok: false,
  recheck: true,
  refusal: { code: "invalid_transition", message: "Someone else decided at the same moment; please click again." },
};

export function decide(state: LifecycleState, command: Command): Decision {
  switch (command.type) {
    case "approve": {
      if (state.status !== "PENDING") return alreadyDecided(state);
      if (isExpired(state, command.now)) {
        return refused(
          "expired",
          "This request expired before it was approved. The requester can file it again with /role.",
          true,
        );
      }
      if (command.actor === state.requesterId) {
        return refused("self_approval", "You can't approve your own request; another approver has to decide it.");
      }
      const { standing } = command;
      if (!standing.mayDecide) return refused("not_approver", "Only approvers for this target can approve requests.");
      const own = ownAccessRefusal(standing.ownAccess, "approve");
      if (own) return own;
      if (!standing.requesterMayAsk) return requesterNotAllowed();
      const approvals = countingApprovals(state, standing);
      if (!approvals) return RECHECK;
      if (state.approvals.some((a) => a.approverId === command.actor)) {
        const missing = state.requiredApprovals - approvals.counting.length;
        return refused(
          "already_approved",
          `You have already approved this request; it needs ${plural(missing, "more approval")} from other approvers.`,
        );
      }
      if (!state.rolesKnown) {
        return refused(
          "roles_unknown",
          "Not counted yet: the card does not show every member's current role, and approvals count only once it does. rolegate keeps reading it from the vendor and updates the card; approve again then.",
        );
      }
      const given = approvals.counting.length + 1;
      return {
        ok: true,
        to: given >= state.requiredApprovals ? "APPROVED" : "PENDING",
        event: "APPROVED",
        approvalsGiven: given,
        ...(approvals.lapsed.length > 0 ? { lapsed: approvals.lapsed } : {}),
      };
    }
    case "deny": {
      if (!stoppable(state)) return alreadyDecided(state);
      if (isExpired(state, command.now))
        return refused("expired", "This request already expired; there is nothing left to deny.", true);
      if (command.actor === state.requesterId) {
        return refused("self_approval", "You can't decide your own request. To withdraw it, use /role cancel.");
      }
      if (!command.mayDecide) return refused("not_approver", "Only approvers for this target can deny requests.");
      // Denying a change that would lower your own role keeps you where you are: higher.
      const own = command.ownAccess && ownAccessRefusal(command.ownAccess, "deny", ["raises", "same"]);
      if (own) return own;
      return { ok: true, to: "DENIED", event: "DENIED" };
    }
    case "cancel": {
      if (command.actor !== state.requesterId) {
        return refused("not_requester", "Only the person who filed this request can cancel it.");
      }
      if (!stoppable(state)) {
        return refused(
          "already_decided",
          `It can't be cancelled any more: this request was already ${STATUS_PHRASE[state.status]}.`,
        );
      }
      if (isExpired(state, command.now))
        return refused("expired", "This request already expired; there is nothing left to cancel.", true);
      return { ok: true, to: "CANCELLED", event: "CANCELLED" };
    }
    case "retry": {
      if (state.status !== "FAILED") {
        return refused(
          "not_failed",
          `Only a failed request can be retried; this one is ${STATUS_PHRASE[state.status]}.`,
        );
      }
      if (command.actor === state.requesterId) {
        return refused("self_approval", "You can't retry your own request; another approver has to.");
      }
      const { standing } = command;
      if (!standing.mayDecide)
        return refused("not_approver", "Only approvers for this target can retry a failed request.");
      if (state.failureCode === "state_changed") {
        return refused(
          "state_changed",
          state.isRevert
            ? "A retry cannot help: the member's role was changed at the vendor after the grant, so rolegate will not overwrite it. Check the member's role at the vendor."
            : "A retry cannot help: a member's role changed at the vendor after the approvals, so what was approved no longer describes the change. The requester can file a new request.",
        );
      }
      // A revert takes back what a grant gave: any approver may retry it, however old the grant —
      // except the member, where the grant lowered them and its revert would raise them again.
      if (state.isRevert) {
        const ownRevert = ownAccessRefusal(standing.ownAccess, "retry", ["lowers", "same"]);
        return ownRevert ?? { ok: true, to: "APPROVED", event: "RETRIED" };
      }
      const own = ownAccessRefusal(standing.ownAccess, "retry");
      if (own) return own;
      if (!standing.requesterMayAsk) return requesterNotAllowed();
      const lastApproval = Math.max(0, ...state.approvals.map((a) => a.at.getTime()));
      if (command.now.getTime() - lastApproval > command.retryWindowMs) {
        return refused(
          "approval_stale",
          `The approvals of this request are older than ${windowText(command.retryWindowMs)}, so they no longer count for a retry. The requester can file it again with /role.`,
        );
      }
      const approvals = countingApprovals(state, standing);
      if (!approvals) return RECHECK;
      if (approvals.counting.length < state.requiredApprovals) {
        return refused(
          "approvals_lapsed",
          `Only ${approvals.counting.length} of the ${plural(state.requiredApprovals, "approval")} it needs still count: ${approvals.lapsed.length === 1 ? "one approver is" : `${approvals.lapsed.length} approvers are`} no longer an approver. The requester can file it again with /role.`,
        );
      }
      return { ok: true, to: "APPROVED", event: "RETRIED" };
    }
  }
}

/**
 * The transitions rolegate makes by itself, with the notice each sends. The work queue and the
 * expiry sweep write them as conditional updates on `from` (plus a lease), so they use this
 * table rather than calling decide() on a stale read.
 */
export const SYSTEM_TRANSITIONS = {
  claim: { from: "APPROVED", to: "EXECUTING", event: "CLAIMED", notice: "applying" },
  /** Another executor's lease ran out (it died or hung): the request is claimed again as it is. */
  takeover: { from: "EXECUTING", to: "EXECUTING", event: "CLAIMED", notice: "applying" },
  apply: { from: "EXECUTING", to: "APPLIED", event: "APPLIED", notice: "applied" },
  fail: { from: "EXECUTING", to: "FAILED", event: "FAILED", notice: "failed" },
  /** Every attempt was used up without an outcome being recorded: it fails where it stands. */
  giveUp: { from: "APPROVED", to: "FAILED", event: "FAILED", notice: "failed" },
  reschedule: { from: "EXECUTING", to: "APPROVED", event: "RESCHEDULED", notice: "retry_scheduled" },
  expire: { from: "PENDING", to: "EXPIRED", event: "EXPIRED", notice: "expired" },
} as const satisfies Record<
  string,
  { from: RequestStatus; to: RequestStatus; event: AuditEventType; notice: NoticeType }
>;

/** What people's decisions write (decide()); an approval short of the number required stays PENDING. */
const PERSON_TRANSITIONS = [
  { from: "PENDING", to: "PENDING", event: "APPROVED" },
  { from: "PENDING", to: "APPROVED", event: "APPROVED" },
  { from: "PENDING", to: "DENIED", event: "DENIED" },
  { from: "APPROVED", to: "DENIED", event: "DENIED" },
  { from: "PENDING", to: "CANCELLED", event: "CANCELLED" },
  { from: "APPROVED", to: "CANCELLED", event: "CANCELLED" },
  { from: "FAILED", to: "APPROVED", event: "RETRIED" },
] as const satisfies readonly { from: RequestStatus; to: RequestStatus; event: PersonEvent }[];

/**
 * Every status change rolegate can write, in one place. The one conditional write every change
 * goes through (store/writes.ts) refuses any other: an edge added in code but not here fails
 * loudly instead of moving a request somewhere the lifecycle never meant it to go.
 */
export const TRANSITIONS: readonly { from: RequestStatus; to: RequestStatus; event: AuditEventType }[] = [
  ...PERSON_TRANSITIONS,
  ...Object.values(SYSTEM_TRANSITIONS),
];

export function isTransition(from: RequestStatus, to: RequestStatus, event: AuditEventType): boolean {
  return TRANSITIONS.some((t) => t.from === from && t.to === to && t.event === event);
}

/** The notice a person's decision sends, by the event it records. */
export function noticeFor(event: PersonEvent, to: RequestStatus): NoticeType {
  switch (event) {
    case "APPROVED":
      return to === "APPROVED" ? "approved" : "approval_added";
    case "DENIED":
      return "denied";
    case "CANCELLED":
      return "cancelled";
    case "RETRIED":
      return "retried";
  }
}

/** What the state machine needs to know of a request. */
export function lifecycleStateOf(request: RoleRequest): LifecycleState {
  return {
    status: request.status,
    requesterId: request.requesterId,
    expiresAt: request.expiresAt,
    requiredApprovals: request.requiredApprovals,
    approvals: request.approvals,
    rolesKnown: request.members.every(
      (m) => !isUnknownRole(m.roleWhenFiled) && !Object.values(m.extraRolesWhenFiled).some(isUnknownRole),
    ),
    // A change already made at the vendor cannot be cancelled by a click.
    started: request.attempts > 0 || request.members.some((m) => m.outcome === "APPLIED"),
    failureCode: request.failureCode,
    isRevert: request.revertOf !== null,
  };
}
