// The executor's side of the requests table: claim approved work with a lease, keep it, and
// finish it. Every write after the claim is conditional on (status EXECUTING, lease_owner = us),
// so a claimant whose lease was taken over can no longer record anything: the one that holds
// the lease decides the outcome.
import type { Prisma, PrismaClient } from "../db/generated/client.js";
import { SYSTEM_TRANSITIONS } from "../requests/lifecycle.js";
import { audit } from "../requests/request-repo.js";
import { REQUEST_INCLUDE, toRoleRequest, TX_OPTIONS } from "../requests/request-row.js";
import type { MemberOutcome, RoleRequest } from "../requests/types.js";

export interface ClaimedJob {
  request: RoleRequest;
  owner: string;
  leaseExpiresAt: Date;
  /** This attempt's number, counting the one just claimed. */
  attempt: number;
  /** The claimant whose lease ran out, when this claim took the work over. */
  takenOverFrom: string | null;
}

export interface MemberResult {
  position: number;
  outcome: MemberOutcome;
  detail?: string | null;
}

interface ClaimRow {
  id: string;
  attempts: number;
  previous_owner: string | null;
  previous_status: string;
}

export class WorkQueue {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Claims the next request that is due: APPROVED with its next attempt due, or EXECUTING with
   * a lease that ran out (its claimant died or hung). SKIP LOCKED lets several executors claim
   * side by side without waiting on each other or taking the same row.
   */
  async claimNext(owner: string, now: Date, leaseMs: number): Promise<ClaimedJob | null> {
    const leaseExpiresAt = new Date(now.getTime() + leaseMs);
    const { from, to, event } = SYSTEM_TRANSITIONS.claim;
    return this.prisma.$transaction(async (tx) => {
      const rows = await tx.$queryRaw<ClaimRow[]>`
        WITH due AS (
          SELECT id, status AS previous_status, lease_owner AS previous_owner
          FROM role_requests
          WHERE (status = ${from}::"RequestStatus" AND (next_attempt_at IS NULL OR next_attempt_at <= ${now}))
             OR (status = ${to}::"RequestStatus" AND lease_expires_at <= ${now})
          ORDER BY COALESCE(next_attempt_at, lease_expires_at)
          LIMIT 1
          FOR UPDATE SKIP LOCKED)
        UPDATE role_requests r
        SET status = ${to}::"RequestStatus", lease_owner = ${owner}, lease_expires_at = ${leaseExpiresAt},
            attempts = r.attempts + 1, updated_at = ${now}
        FROM due WHERE r.id = due.id
        RETURNING r.id, r.attempts, due.previous_owner, due.previous_status::text AS previous_status`;
      const row = rows[0];
      if (!row) return null;
      const takenOverFrom = row.previous_status === to ? row.previous_owner : null;
      await audit(tx, row.id, event, owner, now, { attempt: row.attempts, ...(takenOverFrom ? { takenOverFrom } : {}) });
      const request = toRoleRequest(await tx.roleRequest.findUniqueOrThrow({ where: { id: row.id }, include: REQUEST_INCLUDE }));
      return { request, owner, leaseExpiresAt, attempt: row.attempts, takenOverFrom };
    }, TX_OPTIONS);
  }

  /** Extends the lease if we still hold it; false means another executor has the work now. */
  async renewLease(job: ClaimedJob, now: Date, leaseMs: number): Promise<boolean> {
    const leaseExpiresAt = new Date(now.getTime() + leaseMs);
    const { count } = await this.prisma.roleRequest.updateMany({
      where: { id: job.request.id, status: "EXECUTING", leaseOwner: job.owner, leaseExpiresAt: { gt: now } },
      data: { leaseExpiresAt },
    });
    if (count === 1) job.leaseExpiresAt = leaseExpiresAt;
    return count === 1;
  }

  /**
   * Keeps each member's role as first read before any change: what a revert would restore.
   * Only the first attempt's reading counts — a later attempt may see our own earlier change.
   */
  async recordPreviousRoles(job: ClaimedJob, roles: { position: number; role: string | null }[]): Promise<boolean> {
    return this.whileHeld(job, async (tx) => {
      for (const { position, role } of roles) {
        if (role === null) continue;
        await tx.requestMember.updateMany({ where: { requestId: job.request.id, position, previousRole: null }, data: { previousRole: role } });
      }
    });
  }

  /** EXECUTING → APPLIED. Null when the lease was lost: the holder records the outcome. */
  finishApplied(job: ClaimedJob, now: Date, members: MemberResult[], calls: number): Promise<RoleRequest | null> {
    const { to, event } = SYSTEM_TRANSITIONS.apply;
    return this.finish(job, now, members, { status: to, appliedAt: now, failureDetail: null, failureCode: null, nextAttemptAt: null }, event, { vendorCalls: calls });
  }

  /** EXECUTING → FAILED, keeping the vendor's words for people; `code` when a retry cannot help. */
  finishFailed(job: ClaimedJob, now: Date, members: MemberResult[], detail: string, info: Record<string, unknown>, code: string | null = null): Promise<RoleRequest | null> {
    const { to, event } = SYSTEM_TRANSITIONS.fail;
    return this.finish(job, now, members, { status: to, failureDetail: detail, failureCode: code, nextAttemptAt: null }, event, { detail, ...info });
  }

  /** EXECUTING → APPROVED with the next attempt due at `nextAttemptAt`. */
  reschedule(job: ClaimedJob, now: Date, nextAttemptAt: Date, detail: string, info: Record<string, unknown>): Promise<RoleRequest | null> {
    const { to, event } = SYSTEM_TRANSITIONS.reschedule;
    return this.finish(job, now, [], { status: to, failureDetail: detail, nextAttemptAt }, event, {
      detail,
      nextAttemptAt: nextAttemptAt.toISOString(),
      ...info,
    });
  }

  private async finish(
    job: ClaimedJob,
    now: Date,
    members: MemberResult[],
    data: Prisma.RoleRequestUpdateManyMutationInput,
    event: Parameters<typeof audit>[2],
    details: Record<string, unknown>,
  ): Promise<RoleRequest | null> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.roleRequest.updateMany({
        where: { id: job.request.id, status: "EXECUTING", leaseOwner: job.owner },
        data: { ...data, leaseOwner: null, leaseExpiresAt: null, updatedAt: now },
      });
      if (count !== 1) return null;
      for (const m of members) {
        await tx.requestMember.update({
          where: { requestId_position: { requestId: job.request.id, position: m.position } },
          data: { outcome: m.outcome, outcomeDetail: m.detail ?? null },
        });
      }
      await audit(tx, job.request.id, event, job.owner, now, { attempt: job.attempt, ...details });
      return toRoleRequest(await tx.roleRequest.findUniqueOrThrow({ where: { id: job.request.id }, include: REQUEST_INCLUDE }));
    }, TX_OPTIONS);
  }

  private async whileHeld(job: ClaimedJob, write: (tx: Prisma.TransactionClient) => Promise<void>): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const held = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM role_requests WHERE id = ${job.request.id} AND status = 'EXECUTING' AND lease_owner = ${job.owner} FOR UPDATE`;
      if (held.length === 0) return false;
      await write(tx);
      return true;
    }, TX_OPTIONS);
  }
}
