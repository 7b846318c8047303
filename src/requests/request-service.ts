// Files, decides, cancels, retries and expires requests. It asks the policy who may decide
// (which may ask Slack) before taking the row lock, lets the repository commit the change with
// its audit row, and only then tells the notifier: no Slack call runs inside a transaction.
import type { Clock } from "../clock.js";
import type { RolegateConfig, Target } from "../config/file.js";
import type { Logger } from "../logger.js";
import type { ApprovalPolicy } from "./approval-policy.js";
import { deliver, type Notice, type NoticeType, type Notifier } from "./notifier.js";
import { ok, refuse, type Result } from "./refusals.js";
import type { NewRequest, PersonCommand, RequestRepo, TransitionOutcome } from "./request-repo.js";
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

export const MAX_MEMBERS = 50;
export const MAX_REASON_LENGTH = 2000;

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
  repo: Pick<RequestRepo, "create" | "find" | "targetsOf" | "transition" | "expireDue" | "markNotified" | "owedNotices">;
  policy: Pick<ApprovalPolicy, "mayDecide" | "requiredApprovals">;
  notifier: Notifier;
  config: Pick<RolegateConfig, "targets" | "pendingTtl">;
  clock: Clock;
  logger: Logger;
  /** Called when a request becomes ready for the executor, so it need not wait for its next poll. */
  workAvailable?: () => void;
}

export class RequestService {
  constructor(private readonly deps: RequestServiceDeps) {}

  async file(input: FileRequestInput): Promise<Result<RoleRequest>> {
    const checked = this.check(input);
    if (!checked.ok) return checked;
    const now = this.deps.clock();
    const request = await this.deps.repo.create(
      {
        ...input,
        reason: input.reason.trim(),
        requiredApprovals: this.deps.policy.requiredApprovals(checked.value, input.requestedRole),
        expiresAt: new Date(now.getTime() + this.deps.config.pendingTtl),
      },
      now,
    );
    await this.announce({ type: "filed", request, actor: input.requesterId });
    return ok(request);
  }

  approve(id: string, actor: string): Promise<Result<RoleRequest>> {
    return this.personCommand(id, actor, (mayDecide, now) => ({ type: "approve", actor, mayDecide, now }));
  }

  deny(id: string, actor: string, note?: string): Promise<Result<RoleRequest>> {
    return this.personCommand(id, actor, (mayDecide, now) => ({ type: "deny", actor, mayDecide, now }), cleanNote(note));
  }

  cancel(id: string, actor: string, note?: string): Promise<Result<RoleRequest>> {
    return this.personCommand(id, actor, (_mayDecide, now) => ({ type: "cancel", actor, now }), cleanNote(note));
  }

  retry(id: string, actor: string): Promise<Result<RoleRequest>> {
    return this.personCommand(id, actor, (mayDecide) => ({ type: "retry", actor, mayDecide }));
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

  /** Delivers a notice and records it as sent; used by the executor too. */
  async announce(notice: Notice): Promise<void> {
    this.deps.logger.info("request " + notice.type, { request: notice.request.id, status: notice.request.status, target: notice.request.target, actor: notice.actor });
    if (await deliver(this.deps.notifier, notice, this.deps.logger)) {
      await this.deps.repo.markNotified(notice.request.id, notice.request.status);
    }
  }

  private async personCommand(
    id: string,
    actor: string,
    command: (mayDecide: boolean, now: Date) => PersonCommand,
    note?: string,
  ): Promise<Result<RoleRequest>> {
    const targets = await this.deps.repo.targetsOf(id);
    if (!targets) return refuse("not_found", `There is no request ${id}. Check the id with /role history.`);
    // Asked before the row lock: it may call Slack, which must never hold a transaction open.
    const mayDecide = await this.deps.policy.mayDecide(actor, targets);
    const now = this.deps.clock();
    const outcome = await this.deps.repo.transition(id, command(mayDecide, now), now, note);
    await this.announceOutcome(outcome, actor);
    return outcome.ok ? ok(outcome.request) : { ok: false, refusal: outcome.refusal };
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

  /** The checks that need only the config; the vendor checks happen before filing. */
  private check(input: FileRequestInput): Result<Target[]> {
    const targets: Target[] = [];
    for (const name of [input.target, ...(input.extraTargets ?? [])]) {
      const target = this.deps.config.targets.get(name);
      if (!target) {
        return refuse("invalid_request", `There is no target "${name}". Configured targets: ${[...this.deps.config.targets.keys()].join(", ")}.`, "target");
      }
      targets.push(target);
    }
    const [first, ...rest] = targets as [Target, ...Target[]];
    if (input.kind === "SET_ROLE" && rest.length > 0) {
      return refuse("invalid_request", "A role change names one target; to add members to several organizations use /role add.", "target");
    }
    if (input.kind === "ADD_TO_ORGS") {
      if (first.vendor !== "devin") {
        return refuse("invalid_request", `Adding members to organizations works for Devin targets only; ${first.name} is ${first.vendor}. Use /role set for its existing members.`, "target");
      }
      // One bulk call adds to every organization of one enterprise: same host, same key.
      const other = rest.find((t) => t.vendor !== "devin" || t.tokenEnv !== first.tokenEnv || t.baseUrl !== first.baseUrl);
      if (other) {
        return refuse("invalid_request", `${other.name} is not in the same Devin enterprise as ${first.name}; file one request per enterprise.`, "target");
      }
      if (new Set(targets.map((t) => t.name)).size !== targets.length) {
        return refuse("invalid_request", "A target is named twice; name each organization once.", "target");
      }
    }
    if (input.reason.trim() === "") return refuse("invalid_request", "A reason is required: say why the change is needed.", "reason");
    if (input.reason.length > MAX_REASON_LENGTH) {
      return refuse("invalid_request", `The reason is too long (${input.reason.length} characters); keep it under ${MAX_REASON_LENGTH}.`, "reason");
    }
    if (input.members.length === 0) return refuse("invalid_request", "Name at least one member.", "members");
    if (input.members.length > MAX_MEMBERS) {
      return refuse("invalid_request", `A request can name at most ${MAX_MEMBERS} members; this one names ${input.members.length}.`, "members");
    }
    const refs = input.members.map((m) => m.ref.toLowerCase());
    const twice = refs.find((ref, i) => refs.indexOf(ref) !== i);
    if (twice) return refuse("invalid_request", `${twice} is named twice; name each member once.`, "members");
    return ok(targets);
  }
}

function cleanNote(note: string | undefined): string | undefined {
  const trimmed = note?.trim();
  return trimmed ? trimmed.slice(0, MAX_REASON_LENGTH) : undefined;
}
