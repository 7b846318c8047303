// What one sync of a target means for its ledger: which members are new, changed or gone, what
// explains each change (a rolegate request, or nothing: "changed outside rolegate"), and which of
// them alert. Pure: it reads what the sync listed and what the database knew, and returns the
// writes, so every rule below is tested without a vendor or a database.
//
// The rules that keep it honest:
// - a member with a request approved or under way is not judged: the executor may be changing
//   them while the listing reads them, and the next sync will see the outcome recorded;
// - a member listed twice with different roles is not judged either: the listing moved under us;
// - only a complete listing removes anyone (a failed page, duplicates or zero members never do);
// - the first complete sync sets the baseline and alerts on nothing.
import type { RoleRef, TeamRole } from "../vendors/roles.js";
import type { VendorMember } from "../vendors/connector.js";

export type LedgerReason = "REQUEST" | "BEFORE_ROLEGATE" | "OUTSIDE" | "ACCEPTED";
type ChangeKind = "JOINED" | "ROLE_CHANGED" | "TEAMS_CHANGED" | "LEFT" | "STILL_HELD";

/** A member as the ledger holds them. */
export interface LedgerRow {
  vendorUserId: string;
  email: string | null;
  role: RoleRef;
  teamRoles: TeamRole[] | null;
  firstSeenAt: Date;
  lastSeenAt: Date;
  changedAt: Date;
  reason: LedgerReason;
  requestId: string | null;
  grantEndsAt: Date | null;
  outsideChangeId: bigint | null;
  removedAt: Date | null;
}

/** The last rolegate request that changed a member of this target (its member's outcome: applied). */
export interface AppliedChange {
  requestId: string;
  role: RoleRef;
  appliedAt: Date;
  /** Set for a revert: the grant whose access it took back. */
  revertOf: string | null;
  /** Set for a grant: when its revert is due. */
  grantEndsAt: Date | null;
}

/** What a listing read: its members by vendor id, and whether it may stand for the whole organization. */
export interface Listing {
  members: ReadonlyMap<string, VendorMember>;
  /** Every page read, no id listed twice, not suspiciously empty: only then are members removed. */
  complete: boolean;
  /** Ids listed twice with different roles. */
  ambiguous: ReadonlySet<string>;
}

export interface ObservedChange {
  kind: ChangeKind;
  vendorUserId: string;
  email: string | null;
  from: RoleRef | null;
  to: RoleRef | null;
  fromTeamRoles: TeamRole[] | null;
  toTeamRoles: TeamRole[] | null;
  reason: LedgerReason;
  /** The request that explains it; for STILL_HELD, the revert that did not take effect. */
  requestId: string | null;
  /** It happened after this (the member's previous sighting). */
  notBefore: Date | null;
  /** Posted to the approval channel for a decision. */
  alert: boolean;
}

export interface ReconcileInput {
  now: Date;
  /**
   * When the listing began. A member's sighting is dated by it, not by when its page came: a
   * request applied after this may or may not show in what was read, and must still explain
   * the change when the next sync sees it. A revert applied before it must show.
   */
  startedAt: Date;
  /** Before the first complete sync: members are recorded as found, and nothing alerts. */
  baseline: boolean;
  ledger: ReadonlyMap<string, LedgerRow>;
  listing: Listing;
  applied: ReadonlyMap<string, AppliedChange>;
  /** Members with a request approved or under way. */
  inFlight: ReadonlySet<string>;
  /** Reverts already alerted as not taking effect. */
  alertedReverts: ReadonlySet<string>;
  /** Whether a change outside rolegate into `to` (null: leaving) alerts. */
  alertsOn: (from: RoleRef | null, to: RoleRef | null, gainedTeamRoles: TeamRole[]) => boolean;
}

export interface LedgerPlan {
  /** Rows to write whole: new members, changed ones, removed ones. */
  rows: LedgerRow[];
  /** Members listed unchanged: only their last sighting moves. */
  seen: string[];
  changes: ObservedChange[];
  /** Members listed but not judged (in flight, or listed twice with different roles). */
  skipped: number;
}

export function reconcile(input: ReconcileInput): LedgerPlan {
  const { now, ledger, listing } = input;
  const plan: LedgerPlan = { rows: [], seen: [], changes: [], skipped: 0 };

  for (const [id, member] of listing.members) {
    if (input.inFlight.has(id) || listing.ambiguous.has(id)) {
      plan.skipped++;
      continue;
    }
    const row = ledger.get(id);
    const present = row && !row.removedAt ? row : undefined;
    const change = stillHeld(input, member, present) ?? changeOf(input, member, present);
    if (!change) {
      plan.seen.push(id);
      if (present && present.email !== member.email)
        plan.rows.push({ ...present, email: member.email, lastSeenAt: input.startedAt });
      continue;
    }
    const explained = change.reason === "REQUEST" ? input.applied.get(id) : undefined;
    plan.rows.push({
      vendorUserId: id,
      email: member.email,
      role: member.role,
      teamRoles: member.teamRoles ?? null,
      firstSeenAt: row?.firstSeenAt ?? now,
      lastSeenAt: input.startedAt,
      changedAt: now,
      reason: change.reason,
      requestId: explained?.requestId ?? null,
      grantEndsAt: explained?.grantEndsAt ?? null,
      outsideChangeId: null,
      removedAt: null,
    });
    // The baseline is the starting point, not a change: the ledger's rows record it.
    if (!input.baseline) plan.changes.push(change);
  }

  if (listing.complete) {
    for (const row of ledger.values()) {
      if (row.removedAt || listing.members.has(row.vendorUserId) || input.inFlight.has(row.vendorUserId)) continue;
      plan.rows.push({ ...row, removedAt: now });
      if (input.baseline) continue;
      plan.changes.push({
        kind: "LEFT",
        vendorUserId: row.vendorUserId,
        email: row.email,
        from: row.role,
        to: null,
        fromTeamRoles: row.teamRoles,
        toTeamRoles: null,
        reason: "OUTSIDE",
        requestId: null,
        notBefore: row.lastSeenAt,
        alert: input.alertsOn(row.role, null, []),
      });
    }
  }
  return plan;
}

/**
 * A revert rolegate applied before this listing began, whose member the listing shows in
 * another role than the revert set, and who has not been seen since: the revert did not take
 * effect. Always alerts (🚨), once per revert.
 */
function stillHeld(input: ReconcileInput, member: VendorMember, row: LedgerRow | undefined): ObservedChange | null {
  const last = input.applied.get(member.vendorUserId);
  if (!last?.revertOf || last.appliedAt >= input.startedAt || member.role.id === last.role.id) return null;
  if (row && row.lastSeenAt > last.appliedAt) return null;
  if (input.alertedReverts.has(last.requestId)) return null;
  return {
    kind: "STILL_HELD",
    vendorUserId: member.vendorUserId,
    email: member.email,
    from: last.role,
    to: member.role,
    fromTeamRoles: null,
    toTeamRoles: member.teamRoles ?? null,
    reason: "OUTSIDE",
    requestId: last.requestId,
    notBefore: last.appliedAt,
    alert: !input.baseline,
  };
}

/** The change from what the ledger holds to what was listed, explained; null when there is none. */
function changeOf(input: ReconcileInput, member: VendorMember, row: LedgerRow | undefined): ObservedChange | null {
  const teamRoles = member.teamRoles ?? null;
  let kind: ChangeKind;
  if (!row) kind = "JOINED";
  else if (row.role.id !== member.role.id) kind = "ROLE_CHANGED";
  else if (teamRoles && row.teamRoles && !sameTeamRoles(row.teamRoles, teamRoles)) kind = "TEAMS_CHANGED";
  else return null;

  const last = input.applied.get(member.vendorUserId);
  // A request explains the change when it set this role since the member was last seen (or, for
  // someone not seen before, whenever it ran: the ledger never saw them without it). "Since"
  // includes the same millisecond: a tie is the request's, not an alert nobody can act on.
  const explained = last !== undefined && last.role.id === member.role.id && (!row || last.appliedAt >= row.lastSeenAt);
  const gained = teamRoles ? gainedTeamRoles(row?.teamRoles ?? [], teamRoles) : [];
  const reason: LedgerReason = explained ? "REQUEST" : input.baseline ? "BEFORE_ROLEGATE" : "OUTSIDE";
  return {
    kind,
    vendorUserId: member.vendorUserId,
    email: member.email,
    from: row?.role ?? null,
    to: member.role,
    fromTeamRoles: row?.teamRoles ?? null,
    toTeamRoles: teamRoles,
    reason,
    requestId: explained ? last.requestId : null,
    notBefore: row?.lastSeenAt ?? null,
    alert: reason === "OUTSIDE" && input.alertsOn(row?.role ?? null, member.role, gained),
  };
}

function sameTeamRoles(a: readonly TeamRole[], b: readonly TeamRole[]): boolean {
  const key = (list: readonly TeamRole[]) =>
    list
      .map((t) => `${t.team}=${t.role ?? ""}`)
      .sort()
      .join(",");
  return key(a) === key(b);
}

/** Team roles held now that were not held before (a new team, or a new role in one). */
function gainedTeamRoles(before: readonly TeamRole[], after: readonly TeamRole[]): TeamRole[] {
  return after.filter((t) => !before.some((b) => b.team === t.team && b.role === t.role));
}
