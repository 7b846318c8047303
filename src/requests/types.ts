// The domain's view of a role-change request. Mirrors the database row but is owned here, so
// nothing outside src/db and the repositories depends on Prisma's generated types.

export const STATUSES = [
  "PENDING",
  "APPROVED",
  "EXECUTING",
  "APPLIED",
  "FAILED",
  "DENIED",
  "CANCELLED",
  "EXPIRED",
] as const;
export type RequestStatus = (typeof STATUSES)[number];

export type RequestKind = "SET_ROLE" | "ADD_TO_ORGS";

export type AuditEventType =
  | "FILED"
  | "APPROVED"
  | "DENIED"
  | "CANCELLED"
  | "EXPIRED"
  | "CLAIMED"
  | "APPLIED"
  | "FAILED"
  | "RESCHEDULED"
  | "RETRIED"
  | "REFUSED"
  | "ROLES_READ"
  | "REVOKED"
  | "EXTENDED"
  | "ESCALATED"
  | "RESOLVED";

export type MemberOutcome = "PENDING" | "APPLIED" | "ALREADY_IN_PLACE" | "FAILED";

/** The prefix of a current role that could not be read; the card shows the reason after it. */
export const UNKNOWN_ROLE = "unknown: ";

/** The actor recorded for what rolegate does by itself (executor, expiry sweep). */
export const SYSTEM_ACTOR = "rolegate";

// A role is the vendor's notion; requests name roles the way connectors do.
export type { RoleRef, TeamRole } from "../vendors/roles.js";
import type { RoleRef, TeamRole } from "../vendors/roles.js";

export interface RequestMember {
  position: number;
  /** As the requester named the member: an email address or "id:<vendor id>". */
  ref: string;
  email: string | null;
  vendorUserId: string | null;
  /** The role read at filing: a name, null for "not a member", or UNKNOWN_ROLE + why. */
  roleWhenFiled: string | null;
  /** ADD_TO_ORGS: the same for each further target, by target name. */
  extraRolesWhenFiled: Record<string, string | null>;
  previousRole: string | null;
  /** The vendor's id of previousRole: what a revert asks for. */
  previousRoleId: string | null;
  /** Sentry: the team roles read right before the change, where the request changes team roles. */
  previousTeamRoles: TeamRole[] | null;
  outcome: MemberOutcome;
  outcomeDetail: string | null;
}

export interface Approval {
  approverId: string;
  at: Date;
}

export interface RoleRequest {
  id: string;
  kind: RequestKind;
  target: string;
  extraTargets: string[];
  requestedRole: RoleRef;
  teamRoles: TeamRole[] | null;
  reason: string;
  /** A time-bound grant's length once applied; null for a permanent change. */
  durationSeconds: number | null;
  /** A time-bound grant, once applied: when its reverts are due. */
  grantEndsAt: Date | null;
  /** A revert: the grant whose member it puts back. */
  revertOf: string | null;
  /** An extension: the grant whose end it moves once approved. */
  extendsGrant: string | null;
  /** A take-back: the failed revert whose member it puts back in the pre-grant role. */
  takesBack: string | null;
  /** A failed revert an approver accepted as it is: who, when and why (null while unresolved). */
  resolution: { by: string; at: Date; reason: string } | null;
  /** A pending request: reminders posted so far, and when escalateTo approvers joined. */
  remindersSent: number;
  escalatedAt: Date | null;
  requesterId: string;
  status: RequestStatus;
  requiredApprovals: number;
  expiresAt: Date;
  decidedBy: string | null;
  decisionNote: string | null;
  decidedAt: Date | null;
  failureDetail: string | null;
  /** Set when a retry cannot help: "state_changed". */
  failureCode: string | null;
  attempts: number;
  nextAttemptAt: Date | null;
  card: { channel: string; ts: string } | null;
  appliedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  members: RequestMember[];
  approvals: Approval[];
}

/** What was read at filing for a member in one of the request's targets. */
export function roleWhenFiledIn(
  request: Pick<RoleRequest, "target">,
  member: Pick<RequestMember, "roleWhenFiled" | "extraRolesWhenFiled">,
  target: string,
): string | null {
  return target === request.target ? member.roleWhenFiled : (member.extraRolesWhenFiled[target] ?? null);
}

// A plain boolean, not a type predicate: "false" does not mean "not a string".
export const isUnknownRole = (filed: string | null): boolean => filed !== null && filed.startsWith(UNKNOWN_ROLE);

/** Every target a request touches: the one named first, then any further ones (add only). */
export function targetsOf(request: Pick<RoleRequest, "target" | "extraTargets">): string[] {
  return [request.target, ...request.extraTargets];
}
