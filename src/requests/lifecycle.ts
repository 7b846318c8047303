// The request state machine, pure: given what is known about a request and a command, it says
// what happens — the next status and the audit event — or why the command is refused.
//
//   PENDING ──approvals reach the number required──▶ APPROVED ──claim──▶ EXECUTING ──▶ APPLIED
//      │                                               ▲   ▲                 │
//      ├─any one deny──▶ DENIED                        │   └──transient──────┤ (retry later)
//      ├─requester cancels──▶ CANCELLED                │                     ▼
//      └─pendingTtl passes──▶ EXPIRED                  └──approver: retry── FAILED
//
// Nothing else is allowed. The repository applies a decision as a conditional write on the
// status it was computed from, so two clicks or two processes can never both win.
import { STATUS_PHRASE, type Refusal } from "./refusals.js";
import type { AuditEventType, RequestStatus } from "./types.js";

export interface LifecycleState {
  status: RequestStatus;
  requesterId: string;
  expiresAt: Date;
  requiredApprovals: number;
  /** Who has approved so far. */
  approverIds: readonly string[];
}

/** `mayDecide`: whether the actor is an approver for the request's target(s) right now. */
export type Command =
  | { type: "approve"; actor: string; mayDecide: boolean; now: Date }
  | { type: "deny"; actor: string; mayDecide: boolean; now: Date }
  | { type: "cancel"; actor: string; now: Date }
  | { type: "retry"; actor: string; mayDecide: boolean }
  | { type: "expire"; now: Date }
  | { type: "claim" }
  | { type: "apply" }
  | { type: "fail" }
  | { type: "reschedule" };

export type Decision =
  | { ok: true; to: RequestStatus; event: AuditEventType; approvalsGiven?: number }
  /** `expire`: the command came too late; the request is to be recorded as EXPIRED. */
  | { ok: false; refusal: Refusal; expire?: boolean };

const refused = (code: Refusal["code"], message: string, expire = false): Decision =>
  expire ? { ok: false, refusal: { code, message }, expire } : { ok: false, refusal: { code, message } };

const isExpired = (state: LifecycleState, now: Date) => state.status === "PENDING" && now.getTime() >= state.expiresAt.getTime();

function alreadyDecided(state: LifecycleState): Decision {
  if (state.status === "EXPIRED") return refused("expired", "This request expired without a decision. File a new one with /role.");
  return refused("already_decided", `Nothing to decide: this request was already ${STATUS_PHRASE[state.status]}.`);
}

export function decide(state: LifecycleState, command: Command): Decision {
  switch (command.type) {
    case "approve": {
      if (state.status !== "PENDING") return alreadyDecided(state);
      if (isExpired(state, command.now)) {
        return refused("expired", "This request expired before it was approved. The requester can file it again with /role.", true);
      }
      if (command.actor === state.requesterId) {
        return refused("self_approval", "You can't approve your own request; another approver has to decide it.");
      }
      if (!command.mayDecide) return refused("not_approver", "Only approvers for this target can approve requests.");
      if (state.approverIds.includes(command.actor)) {
        const missing = state.requiredApprovals - state.approverIds.length;
        return refused(
          "already_approved",
          `You have already approved this request; it needs ${missing} more approval${missing === 1 ? "" : "s"} from other approvers.`,
        );
      }
      const given = state.approverIds.length + 1;
      return { ok: true, to: given >= state.requiredApprovals ? "APPROVED" : "PENDING", event: "APPROVED", approvalsGiven: given };
    }
    case "deny": {
      if (state.status !== "PENDING") return alreadyDecided(state);
      if (isExpired(state, command.now)) return refused("expired", "This request already expired; there is nothing left to deny.", true);
      if (command.actor === state.requesterId) {
        return refused("self_approval", "You can't decide your own request. To withdraw it, use /role cancel.");
      }
      if (!command.mayDecide) return refused("not_approver", "Only approvers for this target can deny requests.");
      return { ok: true, to: "DENIED", event: "DENIED" };
    }
    case "cancel": {
      if (command.actor !== state.requesterId) {
        return refused("not_requester", "Only the person who filed this request can cancel it.");
      }
      if (state.status !== "PENDING") {
        return refused("already_decided", `It can't be cancelled any more: this request was already ${STATUS_PHRASE[state.status]}.`);
      }
      if (isExpired(state, command.now)) return refused("expired", "This request already expired; there is nothing left to cancel.", true);
      return { ok: true, to: "CANCELLED", event: "CANCELLED" };
    }
    case "retry": {
      if (state.status !== "FAILED") {
        return refused("not_failed", `Only a failed request can be retried; this one is ${STATUS_PHRASE[state.status]}.`);
      }
      if (command.actor === state.requesterId) {
        return refused("self_approval", "You can't retry your own request; another approver has to.");
      }
      if (!command.mayDecide) return refused("not_approver", "Only approvers for this target can retry a failed request.");
      return { ok: true, to: "APPROVED", event: "RETRIED" };
    }
    case "expire":
      if (!isExpired(state, command.now)) return refused("invalid_transition", "Only a pending request past its expiry can expire.");
      return { ok: true, to: "EXPIRED", event: "EXPIRED" };
    case "claim":
    case "apply":
    case "fail":
    case "reschedule":
      return system(state, SYSTEM_TRANSITIONS[command.type]);
  }
}

/**
 * The executor's transitions. The work queue writes them as conditional updates on `from`
 * (plus its lease), so it uses this table rather than calling decide() on a stale read.
 */
export const SYSTEM_TRANSITIONS = {
  claim: { from: "APPROVED", to: "EXECUTING", event: "CLAIMED" },
  apply: { from: "EXECUTING", to: "APPLIED", event: "APPLIED" },
  fail: { from: "EXECUTING", to: "FAILED", event: "FAILED" },
  reschedule: { from: "EXECUTING", to: "APPROVED", event: "RESCHEDULED" },
} as const satisfies Record<string, { from: RequestStatus; to: RequestStatus; event: AuditEventType }>;

function system(state: LifecycleState, { from, to, event }: { from: RequestStatus; to: RequestStatus; event: AuditEventType }): Decision {
  if (state.status !== from) {
    return refused("invalid_transition", `A request that is ${STATUS_PHRASE[state.status]} cannot become ${STATUS_PHRASE[to]}.`);
  }
  return { ok: true, to, event };
}
