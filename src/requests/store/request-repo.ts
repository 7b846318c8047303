// Filing, deciding and reading requests. Every state change is a conditional write under the
// request's row lock, committed together with its audit row and the notice that announces it
// (writes.ts), so two clicks, two processes or a retry can never both win, history never
// misses a step, and nobody is told of a change that did not commit.
import { Prisma, type PrismaClient } from "../../db/generated/client.js";
import { decide, lifecycleStateOf, noticeFor, SYSTEM_TRANSITIONS, type Command, type Decision } from "../lifecycle.js";
import type { Refusal } from "../refusals.js";
import { newRequestId } from "../request-id.js";
import {
  isUnknownRole,
  roleWhenFiledIn,
  SYSTEM_ACTOR,
  UNKNOWN_ROLE,
  type AuditEventType,
  type RequestKind,
  type RoleRef,
  type RoleRequest,
  type TeamRole,
} from "../types.js";
import type { Viewer } from "../visibility.js";
import { REQUEST_INCLUDE, toRoleRequest, TX_OPTIONS } from "./rows.js";
import { recordResolution, revertsDueNow } from "./reverts.js";
import { runningGrantsFor, type MemberKey, type RunningGrant } from "./running-grants.js";
import { claimLocked, type ClaimOffer } from "./work-queue.js";
import { audit, enqueueNotice, transitionRow, type Tx } from "./writes.js";

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
  /** `claimed`: the approval claimed the request for the offer's executor, which must carry it out. */
  | { ok: true; decision: Extract<Decision, { ok: true }>; request: RoleRequest; claimed?: boolean }
  /**
   * `request` is absent when no such request exists; `expired` when this call recorded the
   * expiry; `recheck` when an approval landed after the standing was read.
   */
  | { ok: false; refusal: Refusal; request?: RoleRequest; expired?: boolean; recheck?: boolean };

/** A member's current role in one target, read after filing (null: not a member). */
export interface RoleReading {
  position: number;
  target: string;
  role: string | null;
}

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

/** What `/role history` narrows to; members are matched by email or vendor id. */
export type HistoryQuery =
  | { kind: "all" }
  | { kind: "requester"; userId: string }
  | { kind: "pending" }
  /** Pending, filed by someone other than this person: what waits on them, as an approver. */
  | { kind: "awaiting"; userId: string }
  | { kind: "target"; target: string }
  | { kind: "member"; email?: string; vendorUserId?: string }
  /** This person's requests still open: waiting for approval, or approved and not yet applied. */
  | { kind: "open"; userId: string }
  /** This person's applied time-bound grants whose access has not been taken back yet. */
  | { kind: "running_grants"; userId: string };

/** Where a page of history ended: the next page starts below this row. */
export interface HistoryCursor {
  createdAt: Date;
  id: string;
}

export interface AuditEntry {
  type: AuditEventType;
  actor: string;
  details: Record<string, unknown>;
  at: Date;
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
          return reread(tx, id);
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
  async transition(
    id: string,
    command: PersonCommand,
    now: Date,
    note?: string,
    offer?: ClaimOffer,
  ): Promise<TransitionOutcome> {
    return this.prisma.$transaction(async (tx) => {
      const locked = await tx.$queryRaw<{ id: string; lease_until: Date }[]>`
        SELECT id, now() + ${offer?.leaseMs ?? 0} * interval '1 millisecond' AS lease_until FROM role_requests WHERE id = ${id} FOR UPDATE`;
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
        const after = await reread(tx, id);
        return {
          ok: false,
          refusal: decision.refusal,
          request: after,
          ...(decision.expire ? { expired: true } : {}),
        } as const;
      }

      await applyDecision(tx, before, command, decision, now, note);
      // The approval that makes it APPROVED claims it for an idle executor in the same commit:
      // one transaction fewer between the click and the vendor call. Only an approval: a retry
      // goes through the queue, which counts its attempts.
      const claimed = offer !== undefined && command.type === "approve" && decision.to === "APPROVED";
      if (claimed)
        await claimLocked(tx, {
          id,
          status: "APPROVED",
          owner: offer.owner,
          now,
          leaseUntil: locked[0]!.lease_until,
          attempt: before.attempts + 1,
          takenOverFrom: null,
        });
      return { ok: true, decision, request: await reread(tx, id), ...(claimed ? { claimed } : {}) } as const;
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
      const grant = await reread(tx, id);
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

  /**
   * Queues an "ending soon" notice for each running grant that ends within an hour (grants of
   * two hours or more) or within a day (grants of two days or more), once each; returns how
   * many. A shorter grant is all "ending soon" from the start: its first DM says when it ends.
   */
  async warnEndingGrants(now: Date, limit = 100): Promise<number> {
    const hour = new Date(now.getTime() + 3_600_000);
    const day = new Date(now.getTime() + 86_400_000);
    return this.prisma.$transaction(async (tx) => {
      const due = await tx.$queryRaw<{ id: string; window: "day" | "hour" }[]>`
        SELECT g.id, CASE WHEN g.grant_ends_at <= ${hour} THEN 'hour' ELSE 'day' END AS window
        FROM role_requests g
        WHERE g.status = 'APPLIED' AND g.revert_of IS NULL AND g.grant_ends_at > ${now}
          AND ((g.warned_hour_at IS NULL AND g.duration_seconds >= 7200 AND g.grant_ends_at <= ${hour})
            OR (g.warned_day_at IS NULL AND g.duration_seconds >= 172800 AND g.grant_ends_at <= ${day} AND g.grant_ends_at > ${hour}))
          AND EXISTS (SELECT 1 FROM role_requests r WHERE r.revert_of = g.id AND r.status = 'APPROVED' AND r.attempts = 0)
        ORDER BY g.grant_ends_at LIMIT ${limit}
        FOR UPDATE OF g SKIP LOCKED`;
      for (const { id, window } of due) {
        // The hour's warning stands for the day's too: nobody needs both at once.
        await tx.roleRequest.update({
          where: { id },
          data: window === "hour" ? { warnedHourAt: now, warnedDayAt: now } : { warnedDayAt: now },
        });
        await enqueueNotice(tx, id, "ending_soon", SYSTEM_ACTOR);
      }
      return due.length;
    }, TX_OPTIONS);
  }

  /**
   * Queues a reminder for each pending request whose card is up and whose next reminder is due:
   * `remindAfterMs` after filing, then at doubling intervals (1, 3, 7, 15 × remindAfter), never
   * past its expiry. Returns how many.
   */
  async remindUndecided(now: Date, remindAfterMs: number, limit = 100): Promise<number> {
    return this.prisma.$transaction(async (tx) => {
      const due = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM role_requests
        WHERE status = 'PENDING' AND card_ts IS NOT NULL AND expires_at > ${now} AND reminders_sent < 20
          AND created_at + ${remindAfterMs} * (power(2, reminders_sent + 1) - 1) * interval '1 millisecond' <= ${now}
        ORDER BY created_at LIMIT ${limit}
        FOR UPDATE SKIP LOCKED`;
      for (const { id } of due) {
        await tx.roleRequest.update({ where: { id }, data: { remindersSent: { increment: 1 } } });
        await enqueueNotice(tx, id, "reminder", SYSTEM_ACTOR);
      }
      return due.length;
    }, TX_OPTIONS);
  }

  /** Escalates a target's pending requests filed before `filedBefore`, once each; returns how many. */
  async escalateUndecided(target: string, filedBefore: Date, now: Date, limit = 100): Promise<number> {
    return this.prisma.$transaction(async (tx) => {
      const due = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM role_requests
        WHERE status = 'PENDING' AND target = ${target} AND escalated_at IS NULL AND created_at <= ${filedBefore} AND expires_at > ${now}
        ORDER BY created_at LIMIT ${limit}
        FOR UPDATE SKIP LOCKED`;
      for (const { id } of due) {
        await tx.roleRequest.update({ where: { id }, data: { escalatedAt: now } });
        await audit(tx, id, "ESCALATED", SYSTEM_ACTOR, now, {});
        await enqueueNotice(tx, id, "escalated", SYSTEM_ACTOR);
      }
      return due.length;
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

  /** The reverts of a time-bound grant, by member position. */
  async revertsOf(grantId: string): Promise<RoleRequest[]> {
    const rows = await this.prisma.roleRequest.findMany({
      where: { revertOf: grantId },
      include: REQUEST_INCLUDE,
      orderBy: { id: "asc" },
    });
    return rows.map(toRoleRequest);
  }

  /** Expires every PENDING request past its expiry; returns how many. */
  async expireDue(now: Date, limit = 100): Promise<number> {
    return this.prisma.$transaction(async (tx) => {
      const due = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM role_requests WHERE status = 'PENDING' AND expires_at <= ${now}
        ORDER BY expires_at LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
      let expired = 0;
      for (const { id } of due) if (await expireLocked(tx, id, now)) expired++;
      return expired;
    }, TX_OPTIONS);
  }

  /** PENDING requests with a member whose current role could not be read at filing, oldest first. */
  async withUnknownRoles(limit = 20): Promise<RoleRequest[]> {
    const prefix = `${UNKNOWN_ROLE}%`;
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      SELECT r.id FROM role_requests r
      WHERE r.status = 'PENDING' AND EXISTS (
        SELECT 1 FROM request_members m
        WHERE m.request_id = r.id
          AND (m.role_when_filed LIKE ${prefix}
               OR EXISTS (SELECT 1 FROM jsonb_each_text(m.extra_roles_when_filed) e WHERE e.value LIKE ${prefix})))
      ORDER BY r.created_at LIMIT ${limit}`;
    return this.findMany(rows.map((r) => r.id));
  }

  /**
   * Records current roles read after filing, for members whose role is still unknown, while
   * the request is PENDING; null when there was nothing left to record.
   */
  async recordRolesRead(id: string, readings: RoleReading[], now: Date): Promise<RoleRequest | null> {
    return this.prisma.$transaction(async (tx) => {
      const locked = await tx.$queryRaw<
        { id: string }[]
      >`SELECT id FROM role_requests WHERE id = ${id} AND status = 'PENDING' FOR UPDATE`;
      if (locked.length === 0) return null;
      const before = await reread(tx, id);
      const recorded: RoleReading[] = [];
      for (const reading of readings) {
        const member = before.members.find((m) => m.position === reading.position);
        if (!member || !isUnknownRole(roleWhenFiledIn(before, member, reading.target))) continue;
        const where = { requestId_position: { requestId: id, position: reading.position } };
        if (reading.target === before.target) {
          await tx.requestMember.update({ where, data: { roleWhenFiled: reading.role } });
        } else {
          // Kept on the member as well: a later reading for another target builds on it.
          member.extraRolesWhenFiled = { ...member.extraRolesWhenFiled, [reading.target]: reading.role };
          await tx.requestMember.update({ where, data: { extraRolesWhenFiled: member.extraRolesWhenFiled } });
        }
        recorded.push(reading);
      }
      if (recorded.length === 0) return null;
      await audit(tx, id, "ROLES_READ", SYSTEM_ACTOR, now, {
        members: recorded.map((r) => ({
          ref: before.members.find((m) => m.position === r.position)?.ref,
          target: r.target,
          role: r.role,
        })),
      });
      await enqueueNotice(tx, id, "roles_read", SYSTEM_ACTOR);
      return reread(tx, id);
    }, TX_OPTIONS);
  }

  /** Saves where the approval card was posted, the moment it was posted. */
  async setCard(id: string, channel: string, ts: string): Promise<void> {
    // Raw: bookkeeping, not a change of the request, so updated_at stays.
    await this.prisma.$executeRaw`UPDATE role_requests SET card_channel = ${channel}, card_ts = ${ts} WHERE id = ${id}`;
  }

  /**
   * The newest requests first, of those `visibleTo` may see: their own, and those whose every
   * target they approve (visibility.ts's rule, written as a query). "anyone": no such limit,
   * for tools and tests, never for a person's command.
   */
  async history(
    query: HistoryQuery,
    limit: number,
    visibleTo: { viewer: Viewer; allTargets: readonly string[] } | "anyone",
    before?: HistoryCursor,
  ): Promise<RoleRequest[]> {
    let visible: Prisma.RoleRequestWhereInput = {};
    if (visibleTo !== "anyone") {
      const { viewer, allTargets } = visibleTo;
      const others = allTargets.filter((t) => !viewer.approves.has(t));
      visible = {
        OR: [
          { requesterId: viewer.userId },
          {
            target: { in: [...viewer.approves] },
            ...(others.length > 0 ? { NOT: { extraTargets: { hasSome: others } } } : {}),
          },
        ],
      };
    }
    // Keyset: older than the last row shown, by (created_at, id), so a page costs the same at
    // the millionth row as at the first, and rows filed meanwhile never shift it.
    const older: Prisma.RoleRequestWhereInput = before
      ? { OR: [{ createdAt: { lt: before.createdAt } }, { createdAt: before.createdAt, id: { lt: before.id } }] }
      : {};
    const rows = await this.prisma.roleRequest.findMany({
      // Reverts show under their grant (its card, /role show), not as requests of their own.
      where: { AND: [visible, filterOf(query), older, { revertOf: null }] },
      include: REQUEST_INCLUDE,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: limit,
    });
    return rows.map(toRoleRequest);
  }

  async auditTrail(id: string): Promise<AuditEntry[]> {
    const rows = await this.prisma.auditEvent.findMany({ where: { requestId: id }, orderBy: { id: "asc" } });
    return rows.map((r) => ({
      type: r.type,
      actor: r.actor,
      details: r.details as Record<string, unknown>,
      at: r.createdAt,
    }));
  }

  private async findMany(ids: string[]): Promise<RoleRequest[]> {
    if (ids.length === 0) return [];
    const rows = await this.prisma.roleRequest.findMany({
      where: { id: { in: ids } },
      include: REQUEST_INCLUDE,
      orderBy: { createdAt: "asc" },
    });
    return rows.map(toRoleRequest);
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

/** PENDING → EXPIRED for a locked row; false if it had already moved on. */
function expireLocked(tx: Tx, id: string, now: Date): Promise<boolean> {
  const { from, to, event, notice } = SYSTEM_TRANSITIONS.expire;
  return transitionRow(tx, { id, from, to, event, actor: SYSTEM_ACTOR, now, data: { decidedAt: now }, notice });
}

async function reread(tx: Tx, id: string): Promise<RoleRequest> {
  return toRoleRequest(await tx.roleRequest.findUniqueOrThrow({ where: { id }, include: REQUEST_INCLUDE }));
}

/** P2002; with driver adapters the constraint name is only in meta.driverAdapterError. */
function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
}

/** What a history query narrows to, as a where clause. */
function filterOf(query: HistoryQuery): Prisma.RoleRequestWhereInput {
  switch (query.kind) {
    case "all":
      return {};
    case "requester":
      return { requesterId: query.userId };
    case "pending":
      return { status: "PENDING" };
    case "awaiting":
      return { status: "PENDING", requesterId: { not: query.userId } };
    case "target":
      return { OR: [{ target: query.target }, { extraTargets: { has: query.target } }] };
    case "open":
      return { requesterId: query.userId, status: { in: ["PENDING", "APPROVED", "EXECUTING"] } };
    case "running_grants":
      // Applied, or failed after changing some of its members: either way access runs until its reverts.
      return {
        requesterId: query.userId,
        durationSeconds: { not: null },
        reverts: { some: { status: { in: ["APPROVED", "EXECUTING", "FAILED"] } } },
      };
    case "member":
      return {
        members: {
          some: query.email ? { email: query.email.toLowerCase() } : { vendorUserId: query.vendorUserId ?? "" },
        },
      };
  }
}
