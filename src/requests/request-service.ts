// Files, decides, cancels, retries and expires requests. It asks the policy who may decide
// (which may ask Slack) before taking the row lock, and lets the repository commit the change
// with its audit row and its notice; the notice dispatcher tells people after the commit. No
// Slack call runs inside a transaction, and nothing after the commit can fail the command.
import type { Clock } from "../clock.js";
import type { RolegateConfig } from "../config/file.js";
import type { Logger } from "../logger.js";
import type { ApprovalPolicy } from "./approval-policy.js";
import type { OwnAccess, Standing } from "./lifecycle.js";
import type { AccessAtStake } from "./own-access.js";
import { durationProblem } from "./grant-policy.js";
import { ok, refuse, type Refusal, type Result } from "./refusals.js";
import type { DecisionContext, NewRequest, PersonCommand, RequestRepo, TransitionOutcome } from "./store/request-repo.js";
import type { ClaimedJob, ClaimOffer } from "./store/work-queue.js";
import { checkShape, cleanTyped, MAX_REASON_LENGTH } from "./request-shape.js";
import type { RoleRequest } from "./types.js";

/** A request as asked for; the service works out how many approvals it needs and when it expires. */
export type FileRequestInput = Omit<NewRequest, "requiredApprovals" | "expiresAt">;

/** How many times a decision is read and decided again when approvals land at the same moment. */
const DECISION_ROUNDS = 3;

export interface RequestServiceDeps {
  repo: Pick<RequestRepo, "create" | "find" | "decisionContext" | "transition" | "expireDue" | "endGrantEarly" | "warnEndingGrants" | "remindUndecided" | "escalateUndecided">;
  policy: Pick<ApprovalPolicy, "mayDecide" | "mayRequest" | "requiredApprovals">;
  /** Whether the person deciding is one of the request's members (see own-access.ts). */
  ownAccess: (actor: string, request: AccessAtStake) => Promise<OwnAccess>;
  config: Pick<RolegateConfig, "targets" | "pendingTtl" | "retryWindow" | "remindAfter">;
  clock: Clock;
  logger: Logger;
  /** Called when a request becomes ready for the executor, so it need not wait for its next poll. */
  workAvailable?: () => void;
  /**
   * This process's executor, when it is idle: an approval that makes a request APPROVED claims it
   * for the executor in the same commit and hands it over, rather than leave it to be claimed.
   */
  executor?: { offer(): ClaimOffer | null; carryOut(job: ClaimedJob): void };
  /** Called after a commit that queued a notice, so the dispatcher delivers it at once. */
  noticesAvailable?: () => void;
  /** Told of each person's decision and how it ended: "ok" or the refusal code (the metrics). */
  decided?: (command: PersonCommand["type"], outcome: string) => void;
}

export class RequestService {
  constructor(private readonly deps: RequestServiceDeps) {}

  async file(input: FileRequestInput): Promise<Result<RoleRequest>> {
    const checked = checkShape(
      {
        kind: input.kind,
        targets: [input.target, ...(input.extraTargets ?? [])],
        reason: input.reason,
        memberRefs: input.members.map((m) => m.ref),
        durationSeconds: input.durationSeconds ?? null,
        teamRoles: input.teamRoles ?? null,
      },
      this.deps.config,
    );
    if (!checked.ok) return checked;
    const refusal = await this.policyRefusal(input);
    if (refusal) return { ok: false, refusal };
    const now = this.deps.clock();
    const request = await this.deps.repo.create(
      {
        ...input,
        reason: cleanTyped(input.reason),
        requiredApprovals: this.deps.policy.requiredApprovals(checked.value, input.requestedRole, input.teamRoles ?? null),
        expiresAt: new Date(now.getTime() + this.deps.config.pendingTtl),
      },
      now,
    );
    this.deps.noticesAvailable?.();
    return ok(request);
  }

  approve(id: string, actor: string): Promise<Result<RoleRequest>> {
    return this.personCommand(id, async (context, now) => ({ type: "approve", actor, standing: await this.standingOf(actor, context), now }));
  }

  deny(id: string, actor: string, note?: string): Promise<Result<RoleRequest>> {
    // Denying never grants anything: a member of the request may deny it.
    return this.personCommand(
      id,
      async (context, now) => ({ type: "deny", actor, mayDecide: await this.deps.policy.mayDecide(actor, context.targets, context.escalated), now }),
      cleanNote(note),
    );
  }

  cancel(id: string, actor: string, note?: string): Promise<Result<RoleRequest>> {
    return this.personCommand(id, async (_context, now) => ({ type: "cancel", actor, now }), cleanNote(note));
  }

  retry(id: string, actor: string): Promise<Result<RoleRequest>> {
    const retryWindowMs = this.deps.config.retryWindow;
    return this.personCommand(id, async (context, now) => ({ type: "retry", actor, standing: await this.standingOf(actor, context), now, retryWindowMs }));
  }

  /**
   * What rolegate.yml's policy says against this request: who may ask, and — once the role is
   * known — for how long.
   */
  async policyRefusal(
    input: Pick<FileRequestInput, "target" | "extraTargets" | "durationSeconds" | "requesterId"> & { requestedRole?: FileRequestInput["requestedRole"] },
  ): Promise<Refusal | null> {
    const names = [input.target, ...(input.extraTargets ?? [])];
    if (!(await this.deps.policy.mayRequest(input.requesterId, names))) {
      return {
        code: "requester_not_allowed",
        message: `You may not ask for changes in ${names.join(", ")}: rolegate.yml names who may. Ask one of its approvers.`,
        field: "target",
      };
    }
    for (const name of names) {
      const target = this.deps.config.targets.get(name);
      const problem = target && input.requestedRole && durationProblem(target, input.requestedRole, input.durationSeconds ?? null);
      if (problem) return { code: "policy", message: problem, field: "duration" };
    }
    return null;
  }

  /**
   * Asks for more time on a running grant: a new request for the same change, linked to the
   * grant, decided like any other; once approved it moves the grant's end and its reverts.
   */
  async extend(grantId: string, actor: string): Promise<Result<RoleRequest>> {
    const grant = await this.deps.repo.find(grantId);
    if (!grant) return refuse("not_found", `There is no request ${grantId}.`);
    if (grant.requesterId !== actor) return refuse("not_requester", "Only the person who asked for this access can ask to extend it.");
    if (grant.durationSeconds === null || grant.revertOf !== null || grant.status !== "APPLIED" || !grant.grantEndsAt || grant.grantEndsAt <= this.deps.clock()) {
      return refuse("nothing_to_end", `Request ${grantId} is not a running time-bound grant; ask anew with /role set … for <duration>.`);
    }
    const members = grant.members.filter((m) => m.outcome === "APPLIED");
    return this.file({
      kind: "SET_ROLE",
      target: grant.target,
      requestedRole: grant.requestedRole,
      durationSeconds: grant.durationSeconds,
      extendsGrant: grant.id,
      reason: `Extension of ${grant.id}: ${grant.reason}`.slice(0, MAX_REASON_LENGTH),
      requesterId: actor,
      // Approvers see the role held now; the executor re-reads it before moving the end.
      members: members.map((m) => ({ ref: m.ref, email: m.email, vendorUserId: m.vendorUserId, roleWhenFiled: grant.requestedRole.name })),
    });
  }

  /** Queues the reminders and escalations that are due; returns how many of each. */
  async chaseUndecided(): Promise<{ reminded: number; escalated: number }> {
    const now = this.deps.clock();
    const { config, repo } = this.deps;
    const reminded = config.remindAfter ? await repo.remindUndecided(now, config.remindAfter) : 0;
    let escalated = 0;
    for (const target of config.targets.values()) {
      if (!target.escalateTo || !target.escalateAfter) continue;
      escalated += await repo.escalateUndecided(target.name, new Date(now.getTime() - target.escalateAfter), now);
    }
    if (reminded + escalated > 0) this.deps.noticesAvailable?.();
    return { reminded, escalated };
  }

  /** Queues the "ending soon" warnings that are due; returns how many. */
  async warnEndingGrants(): Promise<number> {
    const warned = await this.deps.repo.warnEndingGrants(this.deps.clock());
    if (warned > 0) this.deps.noticesAvailable?.();
    return warned;
  }

  /** Ends a time-bound grant now ("I'm done", or an approver's Revoke): its reverts run at once. */
  async endEarly(id: string, actor: string): Promise<Result<{ reverts: number }>> {
    const context = await this.deps.repo.decisionContext(id);
    if (!context) return refuse("not_found", `There is no request ${id}. Check the id with /role history.`);
    const mayEnd = context.requesterId === actor || (await this.deps.policy.mayDecide(actor, context.targets));
    const outcome = await this.deps.repo.endGrantEarly(id, actor, mayEnd, this.deps.clock());
    if (!outcome.ok) return outcome;
    this.deps.workAvailable?.();
    this.deps.noticesAvailable?.();
    return ok({ reverts: outcome.reverts });
  }

  find(id: string): Promise<RoleRequest | null> {
    return this.deps.repo.find(id);
  }

  /** Expires what is past its expiry (each with its notice); returns how many. */
  async expireDue(): Promise<number> {
    const expired = await this.deps.repo.expireDue(this.deps.clock());
    if (expired > 0) this.deps.noticesAvailable?.();
    return expired;
  }

  private async personCommand(id: string, command: (context: DecisionContext, now: Date) => Promise<PersonCommand>, note?: string): Promise<Result<RoleRequest>> {
    for (let round = 1; ; round++) {
      const context = await this.deps.repo.decisionContext(id);
      if (!context) return refuse("not_found", `There is no request ${id}. Check the id with /role history.`);
      // Asked before the row lock: it may call Slack or a vendor, which must never hold a
      // transaction open. The lock then decides on the request as it is.
      const now = this.deps.clock();
      const asked = await command(context, now);
      const offer = asked.type === "approve" ? (this.deps.executor?.offer() ?? undefined) : undefined;
      const outcome = await this.deps.repo.transition(id, asked, now, note, offer);
      if (!outcome.ok && outcome.recheck && round < DECISION_ROUNDS) continue;
      this.deps.decided?.(asked.type, outcome.ok ? "ok" : outcome.refusal.code);
      // Handed over before the notices are woken: they wait for its vendor call (call-first.ts).
      if (outcome.ok && outcome.claimed && offer)
        this.deps.executor?.carryOut({ request: outcome.request, owner: offer.owner, attempt: outcome.request.attempts, takenOverFrom: null });
      this.wakeAfter(outcome);
      return outcome.ok ? ok(outcome.request) : { ok: false, refusal: outcome.refusal };
    }
  }

  /** Whether the actor may decide, whether it is their own access, and whose approvals still count. */
  private async standingOf(actor: string, context: DecisionContext): Promise<Standing> {
    const { policy } = this.deps;
    const mayDecide = await policy.mayDecide(actor, context.targets, context.escalated);
    if (!mayDecide) return { mayDecide, requesterMayAsk: true, ownAccess: { kind: "none" }, approvers: new Map() };
    const ownAccess = await this.deps.ownAccess(actor, context);
    const requesterMayAsk = await policy.mayRequest(context.requesterId, context.targets);
    const approvers = new Map<string, boolean>();
    for (const id of new Set(context.approverIds)) approvers.set(id, await policy.mayDecide(id, context.targets, context.escalated));
    return { mayDecide, requesterMayAsk, ownAccess, approvers };
  }

  private wakeAfter(outcome: TransitionOutcome): void {
    if (outcome.ok && !outcome.claimed && outcome.request.status === "APPROVED") this.deps.workAvailable?.();
    if (outcome.ok || outcome.expired) this.deps.noticesAvailable?.();
  }
}

function cleanNote(note: string | undefined): string | undefined {
  const trimmed = note === undefined ? undefined : cleanTyped(note);
  return trimmed ? trimmed.slice(0, MAX_REASON_LENGTH) : undefined;
}
