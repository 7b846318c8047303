// The inventory's tables: each target's schedule and lease, the ledger of who holds what, the
// append-only trail of what changed, and the changes outside rolegate waiting for a decision.
// A sync holds its target's lease (against the database's clock, like the executor's), and its
// writes commit in one transaction only while it still holds it: two replicas never sync one
// target at once, and one that lost its lease cannot write what it read.
import { Prisma, type PrismaClient } from "../../db/generated/client.js";
import type { RoleRef, TeamRole } from "../../vendors/roles.js";
import { createCard } from "./alert-store.js";
import type { RosterRow, SyncStatus } from "../ledger-views.js";
import type { AppliedChange, LedgerPlan, LedgerReason, LedgerRow, ObservedChange } from "../reconcile.js";

const TX_OPTIONS = { maxWait: 10_000, timeout: 60_000 } as const;

/** A target this replica now syncs, under its lease. */
export interface ClaimedSync {
  target: string;
  owner: string;
  /** Who asked for it (/role sync), if someone did. */
  requestedBy: string | null;
  /** Before the first complete sync. */
  baseline: boolean;
}

export interface SyncOutcome {
  outcome: "complete" | "partial";
  problem: string | null;
  startedAt: Date;
  durationMs: number;
  calls: number;
  /** When the next sync is due, from now, in ms. */
  nextInMs: number;
}

/** What a committed sync wrote, for its digest and its log line. */
export interface CommittedSync {
  changes: number;
  alerts: bigint[];
}

export class LedgerStore {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Makes sure each target has its schedule row, due at once: the first sync is at start. A
   * target synced within `recentMs` is left as it is, so a rolling restart of several replicas
   * does not list every organization once per replica.
   */
  async scheduleAtStart(targets: readonly string[], recentMs: number): Promise<void> {
    for (const target of targets) {
      await this.prisma.$executeRaw`
        INSERT INTO inventory_targets (target, next_sync_at) VALUES (${target}, now())
        ON CONFLICT (target) DO UPDATE SET next_sync_at = LEAST(inventory_targets.next_sync_at, now())
        WHERE inventory_targets.last_attempt_at IS NULL
           OR inventory_targets.last_attempt_at < now() - ${recentMs} * interval '1 millisecond'`;
    }
  }

  /** Asks for a sync now, on behalf of `by` (told when it ends). */
  async requestSync(target: string, by: string): Promise<void> {
    await this.prisma.$executeRaw`
      INSERT INTO inventory_targets (target, next_sync_at, requested_by) VALUES (${target}, now(), ${by})
      ON CONFLICT (target) DO UPDATE SET next_sync_at = now(), requested_by = ${by}`;
  }

  /** What /role who shows: up to `perRole` members of each role (or of one), with each role's count. */
  async roster(target: string, role: string | null, perRole: number): Promise<RosterRow[]> {
    const wanted = role?.toLowerCase() ?? null;
    const rows = await this.prisma.$queryRaw<
      {
        vendor_user_id: string;
        email: string | null;
        role_id: string;
        role_name: string;
        reason: LedgerReason;
        request_id: string | null;
        grant_ends_at: Date | null;
        changed_at: Date;
        first_seen_at: Date;
        outside_status: string | null;
        decided_by: string | null;
        total: bigint;
      }[]
    >`
      SELECT x.*, o.status::text AS outside_status, o.decided_by FROM (
        SELECT m.*, row_number() OVER (PARTITION BY m.role_id ORDER BY m.email NULLS LAST, m.vendor_user_id) AS n,
          count(*) OVER (PARTITION BY m.role_id) AS total
        FROM ledger_members m
        WHERE m.target = ${target} AND m.removed_at IS NULL
          AND (${wanted}::text IS NULL OR lower(m.role_id) = ${wanted} OR lower(m.role_name) = ${wanted})) x
      LEFT JOIN outside_changes o ON o.id = x.outside_change_id
      WHERE x.n <= ${perRole}
      ORDER BY x.role_name, x.n`;
    return rows.map((r) => ({
      vendorUserId: r.vendor_user_id,
      email: r.email,
      role: { id: r.role_id, name: r.role_name },
      reason: r.reason,
      requestId: r.request_id,
      grantEndsAt: r.grant_ends_at,
      since: r.changed_at,
      outsideStatus: r.outside_status,
      keptBy: r.decided_by,
      roleTotal: Number(r.total),
    }));
  }

  /** The target's schedule and how its syncs went; null when its inventory never ran. */
  async status(target: string): Promise<SyncStatus | null> {
    const row = await this.prisma.inventoryTarget.findUnique({ where: { target } });
    if (!row) return null;
    const open = await this.prisma.outsideChange.count({ where: { target, status: "OPEN" } });
    return {
      syncedAt: row.syncedAt,
      lastAttemptAt: row.lastAttemptAt,
      lastOutcome: row.lastOutcome,
      lastProblem: row.lastProblem,
      syncing: row.leaseExpiresAt !== null && row.leaseOwner !== null,
      openChanges: open,
    };
  }

  /** Per target, how many hold each role, and how many changes outside rolegate wait. */
  async counts(targets: readonly string[]): Promise<{ target: string; role: RoleRef; count: number }[]> {
    if (targets.length === 0) return [];
    const rows = await this.prisma.$queryRaw<{ target: string; role_id: string; role_name: string; n: bigint }[]>`
      SELECT target, role_id, min(role_name) AS role_name, count(*) AS n FROM ledger_members
      WHERE target = ANY(${targets as string[]}) AND removed_at IS NULL GROUP BY target, role_id`;
    return rows.map((r) => ({ target: r.target, role: { id: r.role_id, name: r.role_name }, count: Number(r.n) }));
  }

  async openChanges(targets: readonly string[]): Promise<Map<string, number>> {
    if (targets.length === 0) return new Map();
    const rows = await this.prisma.outsideChange.groupBy({
      by: ["target"],
      where: { target: { in: [...targets] }, status: "OPEN" },
      _count: { _all: true },
    });
    return new Map(rows.map((r) => [r.target, r._count._all]));
  }

  /** Takes the lease of up to `limit` due targets among `targets` that nobody else is syncing, the longest due first. */
  async claimDue(targets: readonly string[], owner: string, leaseMs: number, limit: number): Promise<ClaimedSync[]> {
    if (targets.length === 0 || limit <= 0) return [];
    // SKIP LOCKED: a target another replica is claiming right now is left to it.
    const rows = await this.prisma.$queryRaw<
      { target: string; requested_by: string | null; baseline_at: Date | null }[]
    >`
      UPDATE inventory_targets
      SET lease_owner = ${owner}, lease_expires_at = now() + ${leaseMs} * interval '1 millisecond'
      WHERE target IN (
        SELECT target FROM inventory_targets
        WHERE target = ANY(${targets as string[]}) AND next_sync_at <= now()
          AND (lease_expires_at IS NULL OR lease_expires_at <= now())
        ORDER BY next_sync_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      RETURNING target, requested_by, baseline_at`;
    return rows.map((r) => ({
      target: r.target,
      owner,
      requestedBy: r.requested_by,
      baseline: r.baseline_at === null,
    }));
  }

  /** Extends the lease from the database's now; false when it is no longer ours. */
  async renewLease(claim: ClaimedSync, leaseMs: number): Promise<boolean> {
    const n = await this.prisma.$executeRaw`
      UPDATE inventory_targets SET lease_expires_at = now() + ${leaseMs} * interval '1 millisecond'
      WHERE target = ${claim.target} AND lease_owner = ${claim.owner} AND lease_expires_at > now()`;
    return n === 1;
  }

  /** Gives the lease back without a result (shutdown): the target is due again at once. */
  async release(claim: ClaimedSync): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE inventory_targets SET lease_owner = NULL, lease_expires_at = NULL
      WHERE target = ${claim.target} AND lease_owner = ${claim.owner}`;
  }

  async ledgerOf(target: string): Promise<Map<string, LedgerRow>> {
    const rows = await this.prisma.ledgerMember.findMany({ where: { target } });
    return new Map(rows.map((r) => [r.vendorUserId, toLedgerRow(r)]));
  }

  /** Per member of `target`, the last rolegate request whose change for them took effect. */
  async appliedChanges(target: string): Promise<Map<string, AppliedChange>> {
    const rows = await this.prisma.$queryRaw<
      {
        vendor_user_id: string;
        id: string;
        role_id: string;
        role_name: string;
        applied_at: Date;
        revert_of: string | null;
        grant_ends_at: Date | null;
      }[]
    >`
      SELECT DISTINCT ON (m.vendor_user_id) m.vendor_user_id, r.id, r.requested_role_id AS role_id,
        r.requested_role_name AS role_name, COALESCE(r.applied_at, r.updated_at) AS applied_at, r.revert_of, r.grant_ends_at
      FROM request_members m JOIN role_requests r ON r.id = m.request_id
      WHERE (r.target = ${target} OR ${target} = ANY(r.extra_targets))
        AND m.vendor_user_id IS NOT NULL AND m.outcome IN ('APPLIED', 'ALREADY_IN_PLACE')
      ORDER BY m.vendor_user_id, COALESCE(r.applied_at, r.updated_at) DESC`;
    return new Map(
      rows.map((r) => [
        r.vendor_user_id,
        {
          requestId: r.id,
          role: { id: r.role_id, name: r.role_name },
          appliedAt: r.applied_at,
          revertOf: r.revert_of,
          grantEndsAt: r.grant_ends_at,
        },
      ]),
    );
  }

  /**
   * Members of `target` whose change may be landing at the vendor unrecorded: a request being
   * applied, due, or tried before (an interrupted call may have landed). Not judged by this sync.
   * A revert waiting for its grant's end has not started: its member is judged as usual.
   */
  async inFlight(target: string, now: Date): Promise<Set<string>> {
    const rows = await this.prisma.$queryRaw<{ vendor_user_id: string }[]>`
      SELECT DISTINCT m.vendor_user_id FROM request_members m JOIN role_requests r ON r.id = m.request_id
      WHERE (r.target = ${target} OR ${target} = ANY(r.extra_targets)) AND m.vendor_user_id IS NOT NULL
        AND (r.status = 'EXECUTING'
          OR (r.status = 'APPROVED' AND (r.attempts > 0 OR r.next_attempt_at IS NULL OR r.next_attempt_at <= ${now})))`;
    return new Set(rows.map((r) => r.vendor_user_id));
  }

  /** Reverts already reported as not taking effect. */
  async alertedReverts(target: string): Promise<Set<string>> {
    const rows = await this.prisma.outsideChange.findMany({
      where: { target, failedRevertOf: { not: null } },
      select: { failedRevertOf: true },
    });
    return new Set(rows.map((r) => r.failedRevertOf!));
  }

  /**
   * Writes a sync's plan and outcome, and gives the lease back, in one transaction — only if the
   * lease is still ours. Null when it was lost: another replica syncs the target now.
   */
  async commit(claim: ClaimedSync, plan: LedgerPlan, outcome: SyncOutcome, now: Date): Promise<CommittedSync | null> {
    return this.prisma.$transaction(async (tx) => {
      const held = await tx.$queryRaw<{ target: string }[]>`
        SELECT target FROM inventory_targets
        WHERE target = ${claim.target} AND lease_owner = ${claim.owner} AND lease_expires_at > now() FOR UPDATE`;
      if (held.length === 0) return null;

      await writeRows(tx, claim.target, plan.rows);
      if (plan.seen.length > 0)
        await tx.$executeRaw`
          UPDATE ledger_members SET last_seen_at = ${outcome.startedAt}
          WHERE target = ${claim.target} AND vendor_user_id = ANY(${plan.seen})`;
      const alerts = await writeChanges(tx, claim.target, plan.changes, now, syncIdOf(claim, outcome));

      const complete = outcome.outcome === "complete";
      await tx.$executeRaw`
        UPDATE inventory_targets SET
          lease_owner = NULL, lease_expires_at = NULL,
          -- Someone who asked for a sync while this one ran gets one of their own, next.
          requested_by = CASE WHEN requested_by IS DISTINCT FROM ${claim.requestedBy} THEN requested_by END,
          next_sync_at = CASE WHEN requested_by IS DISTINCT FROM ${claim.requestedBy} THEN now()
            ELSE now() + ${outcome.nextInMs} * interval '1 millisecond' END,
          baseline_at = CASE WHEN ${complete} THEN COALESCE(baseline_at, ${outcome.startedAt}) ELSE baseline_at END,
          synced_at = CASE WHEN ${complete} THEN ${outcome.startedAt} ELSE synced_at END,
          last_attempt_at = ${outcome.startedAt}, last_outcome = ${outcome.outcome}, last_problem = ${outcome.problem},
          last_duration_ms = ${Math.round(outcome.durationMs)}, last_calls = ${outcome.calls}
        WHERE target = ${claim.target}`;
      return { changes: plan.changes.length, alerts };
    }, TX_OPTIONS);
  }
}

/** One id per sync of a target: the changes it found share a digest card. */
function syncIdOf(claim: ClaimedSync, outcome: SyncOutcome): string {
  return `${claim.target}@${outcome.startedAt.toISOString()}`;
}

type Tx = Prisma.TransactionClient;

/**
 * Rows a statement writes: a baseline of 10,000 members is ten round trips, and no statement's
 * text (JSON, then its copies in the driver) grows with the organization.
 */
const ROWS_PER_STATEMENT = 1_000;

async function writeRows(tx: Tx, target: string, rows: readonly LedgerRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT)
    await writeRowChunk(tx, target, rows.slice(i, i + ROWS_PER_STATEMENT));
}

async function writeRowChunk(tx: Tx, target: string, rows: readonly LedgerRow[]): Promise<void> {
  const json = JSON.stringify(
    rows.map((r) => ({
      vendor_user_id: r.vendorUserId,
      email: r.email,
      role_id: r.role.id,
      role_name: r.role.name,
      team_roles: r.teamRoles,
      first_seen_at: r.firstSeenAt,
      last_seen_at: r.lastSeenAt,
      changed_at: r.changedAt,
      reason: r.reason,
      request_id: r.requestId,
      grant_ends_at: r.grantEndsAt,
      outside_change_id: r.outsideChangeId?.toString() ?? null,
      removed_at: r.removedAt,
    })),
  );
  await tx.$executeRaw`
    INSERT INTO ledger_members (target, vendor_user_id, email, role_id, role_name, team_roles, first_seen_at,
      last_seen_at, changed_at, reason, request_id, grant_ends_at, outside_change_id, removed_at)
    SELECT ${target}, r.vendor_user_id, r.email, r.role_id, r.role_name, r.team_roles, r.first_seen_at,
      r.last_seen_at, r.changed_at, r.reason::"LedgerReason", r.request_id, r.grant_ends_at, r.outside_change_id, r.removed_at
    FROM jsonb_to_recordset(${json}::jsonb) AS r(vendor_user_id text, email text, role_id text, role_name text,
      team_roles jsonb, first_seen_at timestamptz, last_seen_at timestamptz, changed_at timestamptz, reason text,
      request_id text, grant_ends_at timestamptz, outside_change_id bigint, removed_at timestamptz)
    ON CONFLICT (target, vendor_user_id) DO UPDATE SET
      email = EXCLUDED.email, role_id = EXCLUDED.role_id, role_name = EXCLUDED.role_name,
      team_roles = EXCLUDED.team_roles, last_seen_at = EXCLUDED.last_seen_at, changed_at = EXCLUDED.changed_at,
      reason = EXCLUDED.reason, request_id = EXCLUDED.request_id, grant_ends_at = EXCLUDED.grant_ends_at,
      outside_change_id = EXCLUDED.outside_change_id, removed_at = EXCLUDED.removed_at`;
}

/**
 * The trail of what changed, and an outside change to decide for each that alerts. A member's
 * earlier change still waiting for a decision is settled by the new one: what the approvers
 * would decide on is no longer there.
 */
async function writeChanges(
  tx: Tx,
  target: string,
  changes: readonly ObservedChange[],
  now: Date,
  syncId: string,
): Promise<bigint[]> {
  if (changes.length === 0) return [];
  await tx.outsideChange.updateMany({
    where: { target, status: "OPEN", vendorUserId: { in: changes.map((c) => c.vendorUserId) } },
    data: { status: "SETTLED", decidedAt: now, decidedBy: "rolegate" },
  });
  const alerting = changes.filter((c) => c.alert);
  const created = await tx.outsideChange.createManyAndReturn({
    data: alerting.map((c) => ({
      target,
      vendorUserId: c.vendorUserId,
      email: c.email,
      fromRoleId: c.from?.id ?? null,
      fromRoleName: c.from?.name ?? null,
      toRoleId: c.to?.id ?? null,
      toRoleName: c.to?.name ?? null,
      notBefore: c.notBefore,
      observedAt: now,
      failedRevertOf: c.kind === "STILL_HELD" ? c.requestId : null,
      syncId,
    })),
    select: { id: true, vendorUserId: true },
  });
  if (created.length > 0) await createCard(tx, target, syncId);
  const alertOf = new Map(created.map((c) => [c.vendorUserId, c.id]));
  await tx.ledgerChange.createMany({
    data: changes.map((c) => ({
      target,
      vendorUserId: c.vendorUserId,
      email: c.email,
      kind: c.kind,
      fromRoleId: c.from?.id ?? null,
      fromRoleName: c.from?.name ?? null,
      toRoleId: c.to?.id ?? null,
      toRoleName: c.to?.name ?? null,
      fromTeamRoles: jsonOrNull(c.fromTeamRoles),
      toTeamRoles: jsonOrNull(c.toTeamRoles),
      reason: c.reason,
      requestId: c.requestId,
      notBefore: c.notBefore,
      observedAt: now,
      outsideChangeId: c.alert ? (alertOf.get(c.vendorUserId) ?? null) : null,
    })),
  });
  for (const [vendorUserId, id] of alertOf)
    await tx.ledgerMember.updateMany({ where: { target, vendorUserId }, data: { outsideChangeId: id } });
  return created.map((c) => c.id);
}

function jsonOrNull(value: TeamRole[] | null): Prisma.InputJsonArray | typeof Prisma.DbNull {
  return value === null ? Prisma.DbNull : (value as unknown as Prisma.InputJsonArray);
}

function toLedgerRow(r: Prisma.LedgerMemberGetPayload<object>): LedgerRow {
  const role: RoleRef = { id: r.roleId, name: r.roleName };
  return {
    vendorUserId: r.vendorUserId,
    email: r.email,
    role,
    teamRoles: Array.isArray(r.teamRoles) ? (r.teamRoles as unknown as TeamRole[]) : null,
    firstSeenAt: r.firstSeenAt,
    lastSeenAt: r.lastSeenAt,
    changedAt: r.changedAt,
    reason: r.reason,
    requestId: r.requestId,
    grantEndsAt: r.grantEndsAt,
    outsideChangeId: r.outsideChangeId,
    removedAt: r.removedAt,
  };
}
