// Decides, cancels and retries requests, ends grants early and settles failed reverts (filing is
// filing.ts's). It asks the policy who may decide (which may ask Slack) before taking the row
// lock, and lets the repository commit the change with its audit row and its notice; the notice
// dispatcher tells people after the commit. No Slack call runs inside a transaction, and nothing
// after the commit can fail the command.
import type { Clock } from "../clock.js";
import type { RolegateConfig } from "../config/file.js";
import type { Logger } from "../logger.js";
import type { ApprovalPolicy } from "./approval-policy.js";
import { directionOf, type Direction } from "./access-direction.js";
import { decide, lifecycleStateOf, type OwnAccess, type Standing } from "./lifecycle.js";
import type { AccessAtStake } from "./own-access.js";
import { ok, refuse, STATUS_PHRASE, type Refusal, type Result } from "./refusals.js";
import type { DecisionContext, PersonCommand, RequestRepo, TransitionOutcome } from "./store/request-repo.js";
import { cleanTyped, MAX_REASON_LENGTH } from "./request-shape.js";
import type { RoleRequest } from "./types.js";

/** How many times a decision is read and decided again when approvals land at the same moment. */
const DECISION_ROUNDS = 3;

export interface RequestServiceDeps {
  repo: Pick<
    RequestRepo,
    "find" | "decisionContext" | "transition" | "endGrantEarly" | "openTakeBack" | "acceptRevert"
  >;
  policy: Pick<ApprovalPolicy, "mayDecide" | "mayRequest">;
  /** Whether the person deciding is one of the request's members (see own-access.ts). */
  ownAccess: (actor: string, request: AccessAtStake) => Promise<OwnAccess>;
  config: Pick<RolegateConfig, "targets" | "retryWindow">;
  clock: Clock;
  logger: Logger;
  /** Called when a request becomes ready for the executor, so it need not wait for its next poll. */
  workAvailable?: () => void;
  /** Called after a commit that queued a notice, so the dispatcher delivers it at once. */
  noticesAvailable?: () => void;
  /** Told of each person's decision and how it ended: "ok" or the refusal code (the metrics). */
  decided?: (command: PersonCommand["type"], outcome: string) => void;
}

export class RequestService {
  constructor(private readonly deps: RequestServiceDeps) {}

  approve(id: string, actor: string): Promise<Result<RoleRequest>> {
    return this.personCommand(id, async (context, now) => ({
      type: "approve",
      actor,
      standing: await this.standingOf(actor, context),
      now,
    }));
  }

  deny(id: string, actor: string, note?: string): Promise<Result<RoleRequest>> {
    return this.personCommand(id, (context, now) => this.denyCommand(actor, context, now), cleanNote(note));
  }

  /**
   * Whether `actor` may deny the request as it is now, without deciding anything: the card's
   * Deny… asks before opening its form, so a click that would be refused is refused at once.
   */
  async denyWouldBeRefused(id: string, actor: string): Promise<boolean> {
    const [context, request] = await Promise.all([this.deps.repo.decisionContext(id), this.deps.repo.find(id)]);
    if (!context || !request) return true;
    return !decide(lifecycleStateOf(request), await this.denyCommand(actor, context, this.deps.clock())).ok;
  }

  /**
   * Denying a change that raises its members grants nobody anything: a member may deny it.
   * Where it would lower someone, denying keeps them higher: that member may not.
   */
  private async denyCommand(actor: string, context: DecisionContext, now: Date): Promise<PersonCommand> {
    const mayDecide = await this.deps.policy.mayDecide(actor, context.targets, context.escalated);
    const lowersSomeone = context.members.some((m) => !["raises", "same"].includes(this.changeOf(context, m)));
    const ownAccess = mayDecide && lowersSomeone ? await this.ownAccessWithChange(actor, context) : undefined;
    return { type: "deny", actor, mayDecide, now, ...(ownAccess ? { ownAccess } : {}) };
  }

  cancel(id: string, actor: string, note?: string): Promise<Result<RoleRequest>> {
    return this.personCommand(id, async (_context, now) => ({ type: "cancel", actor, now }), cleanNote(note));
  }

  retry(id: string, actor: string): Promise<Result<RoleRequest>> {
    const retryWindowMs = this.deps.config.retryWindow;
    return this.personCommand(id, async (context, now) => ({
      type: "retry",
      actor,
      standing: await this.standingOf(actor, context),
      now,
      retryWindowMs,
    }));
  }

  /**
   * Settles a revert that failed by accepting the member's role as it is now, with a reason: it
   * no longer counts as access that could not be taken back. Approvers only, never the member.
   */
  async acceptRevert(revertId: string, actor: string, reason: string): Promise<Result<RoleRequest>> {
    const why = cleanNote(reason);
    if (!why)
      return refuse(
        "invalid_request",
        "Say why the member's role may stay as it is: the reason is kept in the audit trail.",
        "reason",
      );
    const refusal = await this.resolveRefusal(revertId, actor);
    if (refusal) return { ok: false, refusal };
    // Only a role someone else set at the vendor may be accepted. Where the revert failed for
    // another reason the member still holds what the grant gave, approved for a while only:
    // one approver's "accept" would make it permanent without the approvals that needs.
    const revert = await this.deps.repo.find(revertId);
    if (revert?.failureCode !== "state_changed") {
      return refuse(
        "policy",
        `The member still holds the role this grant gave for a while only; accepting it would make it permanent without the approvals a permanent change needs. Retry the revert, or take it back; to keep the role, the requester files a permanent change.`,
      );
    }
    const open = await this.deps.repo.openTakeBack(revertId);
    if (open)
      return refuse(
        "already_decided",
        `A take-back of ${revertId} is waiting: request ${open}. Deny it first to accept the role as it is instead.`,
      );
    if (!(await this.deps.repo.acceptRevert(revertId, actor, why, this.deps.clock()))) {
      return refuse("already_decided", `Request ${revertId} is not a failed revert waiting to be settled any more.`);
    }
    this.deps.noticesAvailable?.();
    return ok((await this.deps.repo.find(revertId))!);
  }

  /**
   * Why `actor` may not settle this failed revert (take it back, or accept it as it is), or null:
   * only an unresolved failed revert, only an approver of its target, never its member.
   */
  async resolveRefusal(revertId: string, actor: string): Promise<Refusal | null> {
    const [revert, context] = await Promise.all([
      this.deps.repo.find(revertId),
      this.deps.repo.decisionContext(revertId),
    ]);
    if (!revert || !context || revert.revertOf === null)
      return { code: "not_found", message: `There is no revert ${revertId}.` };
    if (revert.status !== "FAILED" || revert.resolution) {
      return {
        code: "already_decided",
        message: `Nothing to settle: the revert ${revertId} is ${revert.resolution ? "already settled" : STATUS_PHRASE[revert.status]}.`,
      };
    }
    if (!(await this.deps.policy.mayDecide(actor, context.targets)))
      return { code: "not_approver", message: "Only approvers of this target can settle a revert that failed." };
    const own = await this.deps.ownAccess(actor, context);
    if (own.kind === "member")
      return {
        code: "own_access",
        message: `You can't settle this revert: it is about your own access (${own.ref}). Another approver has to.`,
      };
    if (own.kind === "unverified")
      return {
        code: "own_access_unverified",
        message: `rolegate could not check that this revert is not about your own access (${own.why}). Try again in a minute.`,
      };
    return null;
  }

  /** Ends a time-bound grant now ("I'm done", or an approver's Revoke): its reverts run at once. */
  async endEarly(id: string, actor: string): Promise<Result<{ reverts: number }>> {
    const context = await this.deps.repo.decisionContext(id);
    if (!context) return refuse("not_found", `There is no request ${id}. Check the id with /role history.`);
    const mayEnd = context.requesterId === actor || (await this.deps.policy.mayDecide(actor, context.targets));
    // Ending a grant that lowered someone gives them their higher role back early: not theirs
    // to do. (Ending one that raised them — "I'm done" — only takes access away, and stays theirs.)
    const raisedBack = (m: DecisionContext["members"][number]) =>
      m.previousRole !== null && !["lowers", "same"].includes(this.revertChangeOf(context, m));
    if (mayEnd && context.members.some(raisedBack)) {
      const own = await this.deps.ownAccess(actor, context);
      const member = own.kind === "member" ? context.members.find((m) => m.ref === own.ref) : undefined;
      if (own.kind === "unverified" || (member && raisedBack(member))) {
        const why =
          own.kind === "unverified"
            ? `rolegate could not check that it does not (${own.why})`
            : `it would give you (${member!.ref}) your previous, higher role back`;
        return refuse(
          own.kind === "unverified" ? "own_access_unverified" : "own_access",
          `You can't end this grant early: ${why}. Another approver has to.`,
        );
      }
    }
    const outcome = await this.deps.repo.endGrantEarly(id, actor, mayEnd, this.deps.clock());
    if (!outcome.ok) return outcome;
    this.deps.workAvailable?.();
    this.deps.noticesAvailable?.();
    return ok({ reverts: outcome.reverts });
  }

  find(id: string): Promise<RoleRequest | null> {
    return this.deps.repo.find(id);
  }

  private async personCommand(
    id: string,
    command: (context: DecisionContext, now: Date) => Promise<PersonCommand>,
    note?: string,
  ): Promise<Result<RoleRequest>> {
    for (let round = 1; ; round++) {
      const context = await this.deps.repo.decisionContext(id);
      if (!context) return refuse("not_found", `There is no request ${id}. Check the id with /role history.`);
      // Asked before the row lock: it may call Slack or a vendor, which must never hold a
      // transaction open. The lock then decides on the request as it is.
      const now = this.deps.clock();
      const asked = await command(context, now);
      const outcome = await this.deps.repo.transition(id, asked, now, note);
      if (!outcome.ok && outcome.recheck && round < DECISION_ROUNDS) continue;
      this.deps.decided?.(asked.type, outcome.ok ? "ok" : outcome.refusal.code);
      this.wakeAfter(outcome);
      return outcome.ok ? ok(outcome.request) : { ok: false, refusal: outcome.refusal };
    }
  }

  /** Whether the actor may decide, whether it is their own access, and whose approvals still count. */
  private async standingOf(actor: string, context: DecisionContext): Promise<Standing> {
    const { policy } = this.deps;
    const mayDecide = await policy.mayDecide(actor, context.targets, context.escalated);
    if (!mayDecide) return { mayDecide, requesterMayAsk: true, ownAccess: { kind: "none" }, approvers: new Map() };
    const ownAccess = await this.ownAccessWithChange(actor, context);
    const requesterMayAsk = await policy.mayRequest(context.requesterId, context.targets);
    const approvers = new Map<string, boolean>();
    for (const id of new Set(context.approverIds))
      approvers.set(id, await policy.mayDecide(id, context.targets, context.escalated));
    return { mayDecide, requesterMayAsk, ownAccess, approvers };
  }

  /** Whether the actor is one of the request's members, and which way it moves them. */
  private async ownAccessWithChange(actor: string, context: DecisionContext): Promise<OwnAccess> {
    const own = await this.deps.ownAccess(actor, context);
    if (own.kind !== "member") return own;
    const member = context.members.find((m) => m.ref === own.ref);
    return member ? { ...own, change: this.changeOf(context, member) } : own;
  }

  /** Which way the request moves a member's access (a revert: from the grant's role back to the one before). */
  private changeOf(context: DecisionContext, member: DecisionContext["members"][number]): Direction {
    const vendor = this.deps.config.targets.get(context.targets[0] ?? "")?.vendor;
    return vendor ? directionOf(vendor, member.roleWhenFiled, context.requestedRole, context.teamRoles) : "unknown";
  }

  /** Which way a grant's revert would move a member it changed: back the other way. */
  private revertChangeOf(context: DecisionContext, member: DecisionContext["members"][number]): Direction {
    const vendor = this.deps.config.targets.get(context.targets[0] ?? "")?.vendor;
    if (!vendor) return "unknown";
    const granted = directionOf(
      vendor,
      member.previousRole,
      context.requestedRole,
      context.teamRoles,
      member.previousTeamRoles,
    );
    return granted === "raises" ? "lowers" : granted === "lowers" ? "raises" : granted;
  }

  private wakeAfter(outcome: TransitionOutcome): void {
    if (outcome.ok && outcome.request.status === "APPROVED") this.deps.workAvailable?.();
    if (outcome.ok || outcome.expired) this.deps.noticesAvailable?.();
  }
}

function cleanNote(note: string | undefined): string | undefined {
  const trimmed = note === undefined ? undefined : cleanTyped(note);
  return trimmed ? trimmed.slice(0, MAX_REASON_LENGTH) : undefined;
}
