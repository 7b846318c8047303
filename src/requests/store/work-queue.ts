// The executor's side of the requests table: claim approved work with a lease, keep it alive,
// and finish it. Leases are read and written against the database's clock (now()), never a
// process's, so a skewed clock on one replica cannot steal or keep work. Every write after the
// claim is conditional on (status EXECUTING, lease_owner = us), so a claimant whose lease was
// taken over can no longer record anything: the one that holds the lease decides the outcome.
import { Prisma, type PrismaClient } from "../../db/generated/client.js";
import { SYSTEM_TRANSITIONS } from "../lifecycle.js";
import type { MemberOutcome, RoleRef, RoleRequest, TeamRole } from "../types.js";
import { extendGrant, grantEnd, isGrant, recordResolution, revertWhatTookEffect } from "./reverts.js";
import { REQUEST_INCLUDE, toRoleRequest, TX_OPTIONS } from "./rows.js";
import { runningGrantsFor, type RunningGrant } from "./running-grants.js";
import { transitionRow, type Tx } from "./writes.js";

export interface ClaimedJob {
  request: RoleRequest;
  owner: string;
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

export interface ClaimOptions {
  leaseMs: number;
  /** Attempts allowed to write; one more may only find the change already made. */
  maxAttempts: number;
}

/** A due row locked by another writer is looked at again this often, this many times. */
const HELD_RETRY_MS = 15;
const HELD_RETRIES = 10;

// Due for an executor, in three kinds: EXECUTING with a lease that ran out (by the database's
// clock), APPROVED with its next attempt due (by `now`, the schedule's clock), and APPROVED
// with no time set. The claim reads them one kind at a time; isDue is all three.
const LEASE_RAN_OUT = Prisma.sql`status = 'EXECUTING' AND lease_expires_at <= now()`;
const attemptDue = (now: Date) => Prisma.sql`status = 'APPROVED' AND next_attempt_at <= ${now}`;
const UNSCHEDULED = Prisma.sql`status = 'APPROVED' AND next_attempt_at IS NULL`;
const isDue = (now: Date) => Prisma.sql`(${LEASE_RAN_OUT}) OR (${attemptDue(now)}) OR (${UNSCHEDULED})`;
const DUE_COLUMNS = Prisma.sql`id, status::text AS status, attempts, lease_owner`;

/** Extends `job`'s lease by `leaseMs` from the database's now, if its claimant still holds it. */
const leaseRenewal = (job: ClaimedJob, leaseMs: number) => Prisma.sql`
  UPDATE role_requests SET lease_expires_at = now() + ${leaseMs} * interval '1 millisecond'
  WHERE id = ${job.request.id} AND status = 'EXECUTING' AND lease_owner = ${job.owner} AND lease_expires_at > now()`;

interface DueRow {
  id: string;
  status: "APPROVED" | "EXECUTING";
  attempts: number;
  lease_owner: string | null;
  /** now() + the lease, by the database's clock. */
  lease_until: Date;
}

/** Who claims a request, and until when by the database's clock. */
interface LockedClaim {
  id: string;
  /** Its status now: APPROVED, or EXECUTING under a lease that ran out (a takeover). */
  status: "APPROVED" | "EXECUTING";
  owner: string;
  now: Date;
  leaseUntil: Date;
  attempt: number;
  takenOverFrom: string | null;
}

/**
 * Claims a request whose row the caller's transaction holds locked: EXECUTING under `owner`'s
 * lease, with its audit row and its "applying" notice.
 */
async function claimLocked(tx: Tx, claim: LockedClaim): Promise<void> {
  const { id, status, owner, now, leaseUntil, attempt, takenOverFrom } = claim;
  // A takeover moves EXECUTING → EXECUTING under a new owner; the lock makes it safe.
  const { from, to, event, notice } = status === "EXECUTING" ? SYSTEM_TRANSITIONS.takeover : SYSTEM_TRANSITIONS.claim;
  const claimed = await transitionRow(tx, {
    id,
    from,
    to,
    event,
    actor: owner,
    now,
    data: { leaseOwner: owner, leaseExpiresAt: leaseUntil, attempts: attempt },
    details: { attempt, ...(takenOverFrom ? { takenOverFrom } : {}) },
    notice,
  });
  if (!claimed) throw new Error(`request ${id} changed under its lock`);
}

export class WorkQueue {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Claims the next request that is due: APPROVED with its next attempt due (by `now`, the
   * schedule's clock), or EXECUTING with a lease that ran out (by the database's clock: its
   * claimant died or hung). SKIP LOCKED lets several executors claim side by side without
   * waiting on each other or taking the same row. A request that has used up every attempt
   * without recording an outcome (each claimant lost its lease or died) is failed here, without
   * another call: no request cycles between APPROVED and EXECUTING forever.
   */
  async claimNext(owner: string, now: Date, options: ClaimOptions): Promise<ClaimedJob | null> {
    for (let held = 0; ;) {
      const outcome = await this.prisma.$transaction(async (tx) => {
        // Three kinds of due row, each read through an index in its own order, so a claim costs
        // the same with ten thousand approved requests waiting as with one (one query over all
        // of them sorted every due row, and grew with the queue): a lease that ran out (its
        // claimant died), then approved work by when it is due, then approved work with no time.
        // The first row nobody else holds is locked; once one is found the next kinds are not read.
        const [due] = await tx.$queryRaw<DueRow[]>`
          SELECT id, status, attempts, lease_owner, now() + ${options.leaseMs} * interval '1 millisecond' AS lease_until FROM (
            SELECT * FROM (
              SELECT ${DUE_COLUMNS} FROM role_requests WHERE ${LEASE_RAN_OUT}
              ORDER BY lease_expires_at LIMIT 1 FOR UPDATE SKIP LOCKED) expired
            UNION ALL
            SELECT * FROM (
              SELECT ${DUE_COLUMNS} FROM role_requests WHERE ${attemptDue(now)}
              ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED) scheduled
            UNION ALL
            SELECT * FROM (
              SELECT ${DUE_COLUMNS} FROM role_requests WHERE ${UNSCHEDULED}
              LIMIT 1 FOR UPDATE SKIP LOCKED) unscheduled
          ) due
          LIMIT 1`;
        if (!due) {
          // Skipped is not absent: a row another writer has locked for a moment (the card's ts
          // being saved, a decision) is due all the same, and would otherwise wait for a poll.
          const [{ locked }] = (await tx.$queryRaw<
            { locked: boolean }[]
          >`SELECT EXISTS (SELECT 1 FROM role_requests WHERE ${isDue(now)}) AS locked`) as [{ locked: boolean }];
          return locked ? ("held" as const) : ("none" as const);
        }
        const attempt = due.attempts + 1;
        const takenOverFrom = due.status === "EXECUTING" ? due.lease_owner : null;
        if (attempt > options.maxAttempts + 1) {
          await this.giveUp(tx, due, owner, now, options.maxAttempts);
          return "gave_up" as const;
        }
        await claimLocked(tx, {
          id: due.id,
          status: due.status,
          owner,
          now,
          leaseUntil: due.lease_until,
          attempt,
          takenOverFrom,
        });
        const request = toRoleRequest(
          await tx.roleRequest.findUniqueOrThrow({ where: { id: due.id }, include: REQUEST_INCLUDE }),
        );
        return { request, owner, attempt, takenOverFrom } satisfies ClaimedJob;
      }, TX_OPTIONS);
      if (outcome === "none") return null;
      if (outcome === "held") {
        // Most likely another executor is claiming it right now; if so the row is not due
        // once its lock goes, and the next look finds nothing.
        if (++held > HELD_RETRIES) return null;
        await new Promise((resolve) => setTimeout(resolve, HELD_RETRY_MS));
        continue;
      }
      if (outcome !== "gave_up") return outcome;
    }
  }

  /**
   * Extends the lease by `leaseMs` from the database's now, if we still hold it; false means
   * another executor has the work now (or the lease ran out first).
   */
  async renewLease(job: ClaimedJob, leaseMs: number): Promise<boolean> {
    return (await this.prisma.$executeRaw`${leaseRenewal(job, leaseMs)}`) === 1;
  }

  /**
   * Keeps each member's role as first read before any change: what a revert would restore.
   * Only the first attempt's reading counts — a later attempt may see our own earlier change.
   * It renews the lease in the same statement: one round trip and one commit right before the
   * vendor call, and the readings are kept only by the lease's holder. False when the lease is
   * gone, as renewLease.
   */
  async recordPreviousRoles(
    job: ClaimedJob,
    roles: { position: number; role: RoleRef | null; teamRoles: TeamRole[] | null }[],
    leaseMs: number,
  ): Promise<boolean> {
    // Team roles only where the request changes them (absent: the column is left as it is).
    const readings = roles.flatMap(({ position, role, teamRoles }) =>
      role ? [{ position, role: role.name, role_id: role.id, ...(teamRoles ? { team_roles: teamRoles } : {}) }] : [],
    );
    const [row] = await this.prisma.$queryRaw<{ renewed: number }[]>`
      WITH renewed AS (${leaseRenewal(job, leaseMs)} RETURNING id),
      kept AS (
        UPDATE request_members m
        SET previous_role = r.role, previous_role_id = r.role_id, previous_team_roles = COALESCE(r.team_roles, m.previous_team_roles)
        FROM renewed, jsonb_to_recordset(${JSON.stringify(readings)}::jsonb) AS r(position int, role text, role_id text, team_roles jsonb)
        WHERE m.request_id = renewed.id AND m.position = r.position AND m.previous_role IS NULL
        RETURNING 1)
      SELECT count(*)::int AS renewed FROM renewed`;
    return row?.renewed === 1;
  }

  /** Time-bound grants other than this request still open for its members in its targets (running-grants.ts). */
  otherGrantsRunning(request: RoleRequest): Promise<RunningGrant[]> {
    return runningGrantsFor(
      this.prisma,
      [request.target, ...request.extraTargets],
      request.members,
      request.revertOf ?? request.extendsGrant ?? request.id,
    );
  }

  /** EXECUTING → APPLIED. Null when the lease was lost: the holder records the outcome. */
  finishApplied(job: ClaimedJob, now: Date, members: MemberResult[], calls: number): Promise<RoleRequest | null> {
    return this.finish(
      job,
      now,
      members,
      "apply",
      { appliedAt: now, failureDetail: null, failureCode: null, nextAttemptAt: null },
      { vendorCalls: calls },
    );
  }

  /** EXECUTING → FAILED, keeping the vendor's words for people; `code` when a retry cannot help. */
  finishFailed(
    job: ClaimedJob,
    now: Date,
    members: MemberResult[],
    detail: string,
    info: Record<string, unknown>,
    code: string | null = null,
  ): Promise<RoleRequest | null> {
    return this.finish(
      job,
      now,
      members,
      "fail",
      { failureDetail: detail, failureCode: code, nextAttemptAt: null },
      { detail, ...info },
    );
  }

  /** EXECUTING → APPROVED with the next attempt due at `nextAttemptAt`; `members`: what the interrupted call did. */
  reschedule(
    job: ClaimedJob,
    now: Date,
    nextAttemptAt: Date,
    detail: string,
    info: Record<string, unknown>,
    members: MemberResult[] = [],
  ): Promise<RoleRequest | null> {
    return this.finish(
      job,
      now,
      members,
      "reschedule",
      { failureDetail: detail, nextAttemptAt },
      { detail, nextAttemptAt: nextAttemptAt.toISOString(), ...info },
    );
  }

  private async finish(
    job: ClaimedJob,
    now: Date,
    members: MemberResult[],
    kind: "apply" | "fail" | "reschedule",
    data: Prisma.RoleRequestUpdateManyMutationInput,
    details: Record<string, unknown>,
  ): Promise<RoleRequest | null> {
    const { from, to, event, notice } = SYSTEM_TRANSITIONS[kind];
    const { request } = job;
    // A time-bound grant's end is fixed when its change takes effect — the clock starts then,
    // not at filing — or kept, when an earlier attempt already changed some of its members.
    const endsAt =
      kind === "apply" && request.durationSeconds !== null && request.revertOf === null
        ? (request.grantEndsAt ?? grantEnd(request, now))
        : null;
    if (endsAt) {
      data = { ...data, grantEndsAt: endsAt };
      if (isGrant(request)) details = { ...details, revertsDueAt: endsAt.toISOString() };
    }
    return this.prisma.$transaction(async (tx) => {
      const moved = await transitionRow(tx, {
        id: request.id,
        from,
        to,
        event,
        actor: job.owner,
        now,
        where: { leaseOwner: job.owner },
        data: { ...data, leaseOwner: null, leaseExpiresAt: null },
        details: { attempt: job.attempt, ...details },
        notice,
      });
      if (!moved) return null;
      for (const m of members) {
        await tx.requestMember.update({
          where: { requestId_position: { requestId: request.id, position: m.position } },
          data: { outcome: m.outcome, outcomeDetail: m.detail ?? null },
        });
      }
      // In the same transaction as the outcome: there is no moment at which an elevated role is
      // recorded as in place but nothing will take it back.
      if (isGrant(request)) await revertWhatTookEffect(tx, request.id, job.owner, now, kind !== "reschedule");
      const finished = toRoleRequest(
        await tx.roleRequest.findUniqueOrThrow({ where: { id: request.id }, include: REQUEST_INCLUDE }),
      );
      // A take-back in place settles the failed revert it replaces, in the same commit.
      if (kind === "apply" && finished.takesBack) {
        const { count } = await tx.roleRequest.updateMany({
          where: { id: finished.takesBack, status: "FAILED", resolvedAt: null },
          data: {
            resolvedBy: finished.requesterId,
            resolvedAt: now,
            resolution: `taken back by request ${finished.id}`,
          },
        });
        if (count > 0) await recordResolution(tx, finished.takesBack, job.owner, now, { takenBackBy: finished.id });
      }
      if (kind === "apply" && finished.extendsGrant) {
        await extendGrant(tx, finished, job.owner, now);
        return toRoleRequest(
          await tx.roleRequest.findUniqueOrThrow({ where: { id: request.id }, include: REQUEST_INCLUDE }),
        );
      }
      return finished;
    }, TX_OPTIONS);
  }

  /** Fails a request whose attempts all ended without an outcome; no vendor is called. */
  private async giveUp(tx: Tx, due: DueRow, owner: string, now: Date, maxAttempts: number): Promise<void> {
    const detail = `rolegate gave up after ${maxAttempts} attempts: the last ones ended before recording an outcome (a process stopped, lost its lease, or the database refused the write). An approver can retry.`;
    // From where it stands: APPROVED (rescheduled, or never answered), or EXECUTING (a lease ran out).
    const { from, to, event, notice } =
      due.status === "EXECUTING" ? SYSTEM_TRANSITIONS.fail : SYSTEM_TRANSITIONS.giveUp;
    const moved = await transitionRow(tx, {
      id: due.id,
      from,
      to,
      event,
      actor: owner,
      now,
      data: { failureDetail: detail, failureCode: null, nextAttemptAt: null, leaseOwner: null, leaseExpiresAt: null },
      details: { detail, attempts: due.attempts },
      notice,
    });
    if (!moved) throw new Error(`request ${due.id} changed under its lock`);
    // Nothing was learned of the last attempts: what they may have changed is taken back in time
    // (a no-op for anything but a time-bound grant).
    await revertWhatTookEffect(tx, due.id, owner, now, true);
  }
}
