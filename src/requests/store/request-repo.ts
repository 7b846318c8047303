// Filing, deciding and reading requests (housekeeping's sweeps are sweeps.ts; what people read
// of history, request-history.ts). Every state change is a conditional write under the
// request's row lock, committed together with its audit row and the notice that announces it
// (writes.ts), so two clicks, two processes or a retry can never both win, history never
// misses a step, and nobody is told of a change that did not commit.
import { Prisma, type PrismaClient } from "../../db/generated/client.js";
import { decide, lifecycleStateOf, noticeFor, type Command, type Decision } from "../lifecycle.js";
import type { Refusal } from "../refusals.js";
import { newRequestId } from "../request-id.js";
import type { RequestKind, RoleRef, RoleRequest, TeamRole } from "../types.js";
import { REQUEST_INCLUDE, rereadRequest, toRoleRequest, TX_OPTIONS } from "./rows.js";
import { recordResolution, revertsDueNow } from "./reverts.js";
import { runningGrantsFor, type MemberKey, type RunningGrant } from "./running-grants.js";
import { audit, enqueueNotice, expireLocked, transitionRow, type Tx } from "./writes.js";

export interface NewRequest {
  kind: RequestKind;
  target: string;
  extraTargets?: string[];
  requestedRole: RoleRef;
  teamRoles?: TeamRole[] | null;
  reason: string;
  /** A time-bound grant's length; absent or null for a permanent change. */
  durationSeconds?: number | null;
  /** An extension: the grant whose end it moves once approved. */
  extendsGrant?: string | null;
  /** A take-back: the failed revert whose member it puts back in the pre-grant role. */
  takesBack?: string | null;
  requesterId: string;
  requiredApprovals: number;
  expiresAt: Date;
  members: {
    ref: string;
    email?: string | null;
    vendorUserId?: string | null;
    roleWhenFiled?: string | null;
    extraRolesWhenFiled?: Record<string, string | null>;
  }[];
}

/** A person's command: approve, deny, cancel or retry. */
export type PersonCommand = Extract<Command, { type: "approve" | "deny" | "cancel" | "retry" }>;

export type TransitionOutcome =
  | { ok: true; decision: Extract<Decision, { ok: true }>; request: RoleRequest }
  /**
   * `request` is absent when no such request exists; `expired` when this call recorded the
   * expiry; `recheck` when an approval landed after the standing was read.
   */
  | { ok: false; refusal: Refusal; request?: RoleRequest; expired?: boolean; recheck?: boolean };

export interface DecisionContext {
  targets: string[];
  requesterId: string;
  /** escalateTo approvers may decide too. */
  escalated: boolean;
  /** What the request changes, so the own-access rules can tell which way it moves each member. */
  requestedRole: RoleRef;
  teamRoles: TeamRole[] | null;
  isRevert: boolean;
  members: Pick<
    RoleRequest["members"][number],
    "ref" | "email" | "vendorUserId" | "roleWhenFiled" | "previousRole" | "previousTeamRoles"
  >[];
  approverIds: string[];
}

const ID_ATTEMPTS = 5;

/** An extension was asked for while another of the same grant is still open: at most one at a time. */
export class ExtensionPending extends Error {
  constructor(readonly pendingId: string) {
    super(`an extension is already open: ${pendingId}`);
  }
}

export class RequestRepo {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly newId: () => string = newRequestId,
  ) {}

  /** Records a new PENDING request and its FILED event. */
  async create(input: NewRequest, now: Date): Promise<RoleRequest> {
    for (let attempt = 1; ; attempt++) {
      const id = this.newId();
      try {
        return await this.prisma.$transaction(async (tx) => {
          // One open extension per grant: the grant's row lock makes two Extend clicks take turns.
          if (input.extendsGrant) {
            await tx.$queryRaw`SELECT id FROM role_requests WHERE id = ${input.extendsGrant} FOR UPDATE`;
            const open = await tx.roleRequest.findFirst({
              where: { extendsGrant: input.extendsGrant, status: { in: ["PENDING", "APPROVED", "EXECUTING"] } },
              select: { id: true },
            });
            if (open) throw new ExtensionPending(open.id);
          }
          await tx.roleRequest.create({
            data: {
              id,
              kind: input.kind,
              target: input.target,
              extraTargets: input.extraTargets ?? [],
              requestedRoleId: input.requestedRole.id,
              requestedRoleName: input.requestedRole.name,
              teamRoles: input.teamRoles ? (input.teamRoles as unknown as Prisma.InputJsonArray) : Prisma.DbNull,
              reason: input.reason,
              durationSeconds: input.durationSeconds ?? null,
              extendsGrant: input.extendsGrant ?? null,
              takesBack: input.takesBack ?? null,
              requesterId: input.requesterId,
              requiredApprovals: input.requiredApprovals,
              expiresAt: input.expiresAt,
              createdAt: now,
              members: {
                create: input.members.map((m, position) => ({
                  position,
                  ref: m.ref,
                  // Stored lowercased, as emails compare: history finds a member by an index.
                  email: m.email?.toLowerCase() ?? null,
                  vendorUserId: m.vendorUserId ?? null,
                  roleWhenFiled: m.roleWhenFiled ?? null,
                  extraRolesWhenFiled: m.extraRolesWhenFiled ?? {},
                })),
              },
            },
          });
          await audit(tx, id, "FILED", input.requesterId, now, {
            role: input.requestedRole.name,
            members: input.members.map((m) => m.ref),
            requiredApprovals: input.requiredApprovals,
          });
          await enqueueNotice(tx, id, "filed", input.requesterId);
          return rereadRequest(tx, id);
        }, TX_OPTIONS);
      } catch (error) {
        if (attempt < ID_ATTEMPTS && isUniqueViolation(error)) continue; // id collision: draw again
        throw error;
      }
    }
  }

  /**
   * What a decision needs to know before taking the lock — the targets, the members and who
   * has approved so far — or null when there is no such request.
   */
  async decisionContext(id: string): Promise<DecisionContext | null> {
    const row = await this.prisma.roleRequest.findUnique({
      where: { id },
      select: {
        target: true,
        extraTargets: true,
        requesterId: true,
        escalatedAt: true,
        requestedRoleId: true,
        requestedRoleName: true,
        teamRoles: true,
        revertOf: true,
        members: {
          select: {
            ref: true,
            email: true,
            vendorUserId: true,
            roleWhenFiled: true,
            previousRole: true,
            previousTeamRoles: true,
          },
          orderBy: { position: "asc" },
        },
        approvals: { select: { approverId: true } },
      },
    });
    if (!row) return null;
    return {
      targets: [row.target, ...row.extraTargets],
      requesterId: row.requesterId,
      escalated: row.escalatedAt !== null,
      requestedRole: { id: row.requestedRoleId, name: row.requestedRoleName },
      teamRoles: (row.teamRoles as TeamRole[] | null) ?? null,
      isRevert: row.revertOf !== null,
      members: row.members.map((m) => ({
        ...m,
        previousTeamRoles: (m.previousTeamRoles as TeamRole[] | null) ?? null,
      })),
      approverIds: row.approvals.map((a) => a.approverId),
    };
  }

  async find(id: string): Promise<RoleRequest | null> {
    const row = await this.prisma.roleRequest.findUnique({ where: { id }, include: REQUEST_INCLUDE });
    return row ? toRoleRequest(row) : null;
  }

  /**
   * Decides a person's command against the request as it is now, under its row lock, and
   * commits the outcome with its audit row. A refusal is recorded as REFUSED and changes
   * nothing else — except a command that arrives after the expiry, which records the EXPIRED
   * the sweep would have.
   */
  async transition(id: string, command: PersonCommand, now: Date, note?: string): Promise<TransitionOutcome> {
    return this.prisma.$transaction(async (tx) => {
      const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM role_requests WHERE id = ${id} FOR UPDATE`;
      if (locked.length === 0) {
        return { ok: false, refusal: { code: "not_found", message: `There is no request ${id}.` } } as const;
      }
      const before = toRoleRequest(await tx.roleRequest.findUniqueOrThrow({ where: { id }, include: REQUEST_INCLUDE }));
      const decision = decide(lifecycleStateOf(before), command);

      if (!decision.ok) {
        // Someone approved after the standing was read: nothing to record, the caller asks again.
        if (decision.recheck) return { ok: false, refusal: decision.refusal, recheck: true } as const;
        if (decision.expire) await expireLocked(tx, id, now);
        await audit(tx, id, "REFUSED", command.actor, now, {
          command: command.type,
          code: decision.refusal.code,
          reason: decision.refusal.message,
        });
        const after = await rereadRequest(tx, id);
        return {
          ok: false,
          refusal: decision.refusal,
          request: after,
          ...(decision.expire ? { expired: true } : {}),
        } as const;
      }

      await applyDecision(tx, before, command, decision, now, note);
      return { ok: true, decision, request: await rereadRequest(tx, id) } as const;
    }, TX_OPTIONS);
  }

  /**
   * Ends a time-bound grant early: its reverts not yet taken up become due now. `mayEnd`: the
   * actor is its requester or an approver of its target. Refusals are recorded like any other.
   */
  async endGrantEarly(
    id: string,
    actor: string,
    mayEnd: boolean,
    now: Date,
  ): Promise<{ ok: true; reverts: number } | { ok: false; refusal: Refusal }> {
    return this.prisma.$transaction(async (tx) => {
      const locked = await tx.$queryRaw<{ id: string }[]>`SELECT id FROM role_requests WHERE id = ${id} FOR UPDATE`;
      if (locked.length === 0)
        return { ok: false, refusal: { code: "not_found", message: `There is no request ${id}.` } } as const;
      const grant = await rereadRequest(tx, id);
      const refuse = async (code: Refusal["code"], message: string) => {
        await audit(tx, id, "REFUSED", actor, now, { command: "end_early", code, reason: message });
        return { ok: false, refusal: { code, message } } as const;
      };
      if (!mayEnd)
        return refuse(
          "not_requester",
          "Only the person who asked for this access, or an approver of its target, can end it early.",
        );
      if (grant.durationSeconds === null || grant.revertOf !== null)
        return refuse("nothing_to_end", `Request ${id} is not time-bound; there is nothing to end early.`);
      // Not only an applied grant: one that failed after changing some members has access to end too.
      const reverts = await revertsDueNow(tx, id, actor, now);
      if (reverts === 0) {
        const hasReverts = (await tx.roleRequest.count({ where: { revertOf: id } })) > 0;
        return refuse(
          "nothing_to_end",
          hasReverts
            ? `The access of request ${id} has already ended, or is being taken back right now.`
            : `Request ${id} has not changed anyone's access; there is no access to end.`,
        );
      }
      return { ok: true, reverts } as const;
    }, TX_OPTIONS);
  }

  /** Time-bound grants other than `except` still open for any of these members in any of these targets (running-grants.ts). */
  runningGrantsFor(
    targets: readonly string[],
    members: readonly MemberKey[],
    except: string | null = null,
  ): Promise<RunningGrant[]> {
    return runningGrantsFor(this.prisma, targets, members, except);
  }

  /**
   * How much one person has asked for: requests still open (waiting for approval or to be
   * applied), requests filed since `since`, and the oldest of those.
   */
  async requesterLoad(
    requesterId: string,
    since: Date,
  ): Promise<{ open: number; filedSince: number; oldestSince: Date | null }> {
    const [row] = await this.prisma.$queryRaw<{ open: number; filed: number; oldest: Date | null }[]>`
      SELECT
        (SELECT count(*)::int FROM role_requests WHERE requester_id = ${requesterId} AND status IN ('PENDING', 'APPROVED', 'EXECUTING')) AS open,
        (SELECT count(*)::int FROM role_requests WHERE requester_id = ${requesterId} AND created_at > ${since}) AS filed,
        (SELECT min(created_at) FROM role_requests WHERE requester_id = ${requesterId} AND created_at > ${since}) AS oldest`;
    return { open: row?.open ?? 0, filedSince: row?.filed ?? 0, oldestSince: row?.oldest ?? null };
  }

  /** A take-back of this failed revert still waiting, being decided or applied; null when there is none. */
  async openTakeBack(revertId: string): Promise<string | null> {
    const open = await this.prisma.roleRequest.findFirst({
      where: { takesBack: revertId, status: { in: ["PENDING", "APPROVED", "EXECUTING"] } },
      select: { id: true },
    });
    return open?.id ?? null;
  }

  /**
   * Settles a failed revert as it is, with the approver's reason: it no longer counts as access
   * that could not be taken back. Recorded on the revert and on its grant. False when it is not
   * (or no longer) an unresolved failed revert.
   */
  async acceptRevert(revertId: string, actor: string, reason: string, now: Date): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.roleRequest.updateMany({
        where: { id: revertId, revertOf: { not: null }, status: "FAILED", resolvedAt: null },
        data: { resolvedBy: actor, resolvedAt: now, resolution: reason },
      });
      if (count === 0) return false;
      await recordResolution(tx, revertId, actor, now, { accepted: true, reason });
      return true;
    }, TX_OPTIONS);
  }

  /** Saves where the approval card was posted, the moment it was posted. */
  async setCard(id: string, channel: string, ts: string): Promise<void> {
    // Raw: bookkeeping, not a change of the request, so updated_at stays.
    await this.prisma.$executeRaw`UPDATE role_requests SET card_channel = ${channel}, card_ts = ${ts} WHERE id = ${id}`;
  }
}

async function applyDecision(
  tx: Tx,
  before: RoleRequest,
  command: PersonCommand,
  decision: Extract<Decision, { ok: true }>,
  now: Date,
  note: string | undefined,
): Promise<void> {
  let details: Record<string, unknown> = {};
  let data: Prisma.RoleRequestUpdateManyMutationInput = {};

  switch (command.type) {
    case "approve":
      // The unique (request, approver) index backs the lifecycle's one-approval-per-person rule.
      await tx.approval.create({ data: { requestId: before.id, approverId: command.actor, createdAt: now } });
      details = {
        approvals: decision.approvalsGiven,
        required: before.requiredApprovals,
        ...(decision.lapsed ? { notCounted: decision.lapsed } : {}),
      };
      if (decision.to === "APPROVED") data = { decidedAt: now, nextAttemptAt: now };
      break;
    case "deny":
    case "cancel":
      // nextAttemptAt cleared too: an APPROVED request stopped before it started is no work.
      data = { decidedBy: command.actor, decisionNote: note ?? null, decidedAt: now, nextAttemptAt: null };
      details = note ? { note } : {};
      break;
    case "retry":
      data = {
        decidedBy: command.actor,
        decidedAt: now,
        attempts: 0,
        nextAttemptAt: now,
        failureDetail: null,
        failureCode: null,
      };
      await tx.requestMember.updateMany({
        where: { requestId: before.id, outcome: "FAILED" },
        data: { outcome: "PENDING", outcomeDetail: null },
      });
      details = { previousFailure: before.failureDetail };
      break;
  }

  const moved = await transitionRow(tx, {
    id: before.id,
    from: before.status,
    to: decision.to,
    event: decision.event,
    actor: command.actor,
    now,
    data,
    details,
    notice: noticeFor(decision.event, decision.to),
  });
  // Unreachable under the row lock; kept so a future change that drops the lock fails loudly.
  if (!moved) throw new Error(`request ${before.id} changed under its lock`);
}

/** P2002; with driver adapters the constraint name is only in meta.driverAdapterError. */
function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}
