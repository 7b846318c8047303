// Files, decides, cancels, retries and expires requests. It asks the policy who may decide
// (which may ask Slack) before taking the row lock, lets the repository commit the change with
// its audit row, and only then tells the notifier: no Slack call runs inside a transaction.
import type { Clock } from "../clock.js";
import type { RolegateConfig } from "../config/file.js";
import type { Logger } from "../logger.js";
import type { ApprovalPolicy } from "./approval-policy.js";
import { deliver, type Notice, type NoticeType, type Notifier } from "./notifier.js";
import type { OwnAccess, Standing } from "./lifecycle.js";
import type { AccessAtStake } from "./own-access.js";
import { ok, refuse, type Result } from "./refusals.js";
import type { DecisionContext, NewRequest, PersonCommand, RequestRepo, TransitionOutcome } from "./request-repo.js";
import { checkShape, MAX_REASON_LENGTH } from "./request-shape.js";
import { SYSTEM_ACTOR, type RequestKind, type RequestStatus, type RoleRef, type RoleRequest, type TeamRole } from "./types.js";

export interface FileRequestInput {
  kind: RequestKind;
  target: string;
  extraTargets?: string[];
  requestedRole: RoleRef;
  teamRoles?: TeamRole[] | null;
  reason: string;
  requesterId: string;
  members: NewRequest["members"];
}

/** How many times a decision is read and decided again when approvals land at the same moment. */
const DECISION_ROUNDS = 3;

/** The notice each status is announced with, when a notice is owed and sent again. */
const NOTICE_FOR_STATUS: Record<RequestStatus, NoticeType> = {
  PENDING: "filed",
  APPROVED: "approved",
  EXECUTING: "applying",
  APPLIED: "applied",
  FAILED: "failed",
  DENIED: "denied",
  CANCELLED: "cancelled",
  EXPIRED: "expired",
};

export interface RequestServiceDeps {
  repo: Pick<RequestRepo, "create" | "find" | "decisionContext" | "transition" | "expireDue" | "markNotified" | "owedNotices">;
  policy: Pick<ApprovalPolicy, "mayDecide" | "requiredApprovals">;
  /** Whether the person deciding is one of the request's members (see own-access.ts). */
  ownAccess: (actor: string, request: AccessAtStake) => Promise<OwnAccess>;
  notifier: Notifier;
  config: Pick<RolegateConfig, "targets" | "pendingTtl" | "retryWindow">;
  clock: Clock;
  logger: Logger;
  /** Called when a request becomes ready for the executor, so it need not wait for its next poll. */
  workAvailable?: () => void;
}

export class RequestService {
  constructor(private readonly deps: RequestServiceDeps) {}

  async file(input: FileRequestInput): Promise<Result<RoleRequest>> {
    const checked = checkShape(
      { kind: input.kind, targets: [input.target, ...(input.extraTargets ?? [])], reason: input.reason, memberRefs: input.members.map((m) => m.ref) },
      this.deps.config,
    );
    if (!checked.ok) return checked;
    const now = this.deps.clock();
    const request = await this.deps.repo.create(
      {
        ...input,
        reason: input.reason.trim(),
        requiredApprovals: this.deps.policy.requiredApprovals(checked.value, input.requestedRole, input.teamRoles ?? null),
        expiresAt: new Date(now.getTime() + this.deps.config.pendingTtl),
      },
      now,
    );
    await this.announce({ type: "filed", request, actor: input.requesterId });
    return ok(request);
  }

  approve(id: string, actor: string): Promise<Result<RoleRequest>> {
    return this.personCommand(id, actor, async (context, now) => ({ type: "approve", actor, standing: await this.standingOf(actor, context), now }));
  }

  deny(id: string, actor: string, note?: string): Promise<Result<RoleRequest>> {
    // Denying never grants anything: a member of the request may deny it.
    return this.personCommand(id, actor, async (context, now) => ({ type: "deny", actor, mayDecide: await this.deps.policy.mayDecide(actor, context.targets), now }), cleanNote(note));
  }

  cancel(id: string, actor: string, note?: string): Promise<Result<RoleRequest>> {
    return this.personCommand(id, actor, async (_context, now) => ({ type: "cancel", actor, now }), cleanNote(note));
  }

  retry(id: string, actor: string): Promise<Result<RoleRequest>> {
    const retryWindowMs = this.deps.config.retryWindow;
    return this.personCommand(id, actor, async (context, now) => ({ type: "retry", actor, standing: await this.standingOf(actor, context), now, retryWindowMs }));
  }

  find(id: string): Promise<RoleRequest | null> {
    return this.deps.repo.find(id);
  }

  /** Expires what is past its expiry and announces each; returns them. */
  async expireDue(): Promise<RoleRequest[]> {
    const expired = await this.deps.repo.expireDue(this.deps.clock());
    for (const request of expired) await this.announce({ type: "expired", request, actor: SYSTEM_ACTOR });
    return expired;
  }

  /**
   * Sends again the notices a crash or a Slack outage swallowed: any request whose status
   * changed at least `graceMs` ago without its notice having gone out.
   */
  async redeliverOwedNotices(graceMs = 30_000): Promise<number> {
    const owed = await this.deps.repo.owedNotices(new Date(this.deps.clock().getTime() - graceMs));
    for (const request of owed) await this.announce({ type: NOTICE_FOR_STATUS[request.status], request, actor: SYSTEM_ACTOR });
    return owed.length;
  }

  /**
   * Delivers a notice and records it as sent; used by the executor too. It never throws: it
   * runs after the change is committed, and a fault here must not read as "nothing changed".
   * A notice not recorded as sent is sent again by redeliverOwedNotices.
   */
  async announce(notice: Notice): Promise<void> {
    this.deps.logger.info("request " + notice.type, { request: notice.request.id, status: notice.request.status, target: notice.request.target, actor: notice.actor });
    if (!(await deliver(this.deps.notifier, notice, this.deps.logger))) return;
    await this.deps.repo.markNotified(notice.request.id, notice.request.status).catch((error: unknown) => {
      this.deps.logger.warn("could not record a notice as sent; it may be sent again", { request: notice.request.id, error });
    });
  }

  private async personCommand(
    id: string,
    actor: string,
    command: (context: DecisionContext, now: Date) => Promise<PersonCommand>,
    note?: string,
  ): Promise<Result<RoleRequest>> {
    for (let round = 1; ; round++) {
      const context = await this.deps.repo.decisionContext(id);
      if (!context) return refuse("not_found", `There is no request ${id}. Check the id with /role history.`);
      // Asked before the row lock: it may call Slack or a vendor, which must never hold a
      // transaction open. The lock then decides on the request as it is.
      const now = this.deps.clock();
      const outcome = await this.deps.repo.transition(id, await command(context, now), now, note);
      if (!outcome.ok && outcome.recheck && round < DECISION_ROUNDS) continue;
      await this.announceOutcome(outcome, actor);
      return outcome.ok ? ok(outcome.request) : { ok: false, refusal: outcome.refusal };
    }
  }

  /** Whether the actor may decide, whether it is their own access, and whose approvals still count. */
  private async standingOf(actor: string, context: DecisionContext): Promise<Standing> {
    const { policy } = this.deps;
    const mayDecide = await policy.mayDecide(actor, context.targets);
    if (!mayDecide) return { mayDecide, ownAccess: { kind: "none" }, approvers: new Map() };
    const ownAccess = await this.deps.ownAccess(actor, context);
    const approvers = new Map<string, boolean>();
    for (const id of new Set(context.approverIds)) approvers.set(id, await policy.mayDecide(id, context.targets));
    return { mayDecide, ownAccess, approvers };
  }

  private async announceOutcome(outcome: TransitionOutcome, actor: string): Promise<void> {
    if (!outcome.ok) {
      if (outcome.expired && outcome.request) await this.announce({ type: "expired", request: outcome.request, actor: SYSTEM_ACTOR });
      return;
    }
    const { request, decision } = outcome;
    const type: NoticeType =
      decision.event === "APPROVED" ? (request.status === "APPROVED" ? "approved" : "approval_added") : NOTICE_FOR_STATUS[request.status];
    // Wake the executor first: the change need not wait for Slack to take the notice.
    if (request.status === "APPROVED") this.deps.workAvailable?.();
    await this.announce({ type: decision.event === "RETRIED" ? "retried" : type, request, actor });
  }
}

function cleanNote(note: string | undefined): string | undefined {
  const trimmed = note?.trim();
  return trimmed ? trimmed.slice(0, MAX_REASON_LENGTH) : undefined;
}
