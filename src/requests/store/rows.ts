// Between Prisma's rows and the domain's RoleRequest, for the store's modules.
import type { Prisma } from "../../db/generated/client.js";
import type { RoleRequest, TeamRole } from "../types.js";

export const REQUEST_INCLUDE = {
  members: { orderBy: { position: "asc" } },
  approvals: { orderBy: { createdAt: "asc" } },
} as const satisfies Prisma.RoleRequestInclude;

export type RequestRow = Prisma.RoleRequestGetPayload<{ include: typeof REQUEST_INCLUDE }>;

/** Interactive transactions wait for a connection and run for at most these many ms. */
export const TX_OPTIONS = { maxWait: 10_000, timeout: 15_000 } as const;

export function toRoleRequest(row: RequestRow): RoleRequest {
  return {
    id: row.id,
    kind: row.kind,
    target: row.target,
    extraTargets: row.extraTargets,
    requestedRole: { id: row.requestedRoleId, name: row.requestedRoleName },
    teamRoles: (row.teamRoles as TeamRole[] | null) ?? null,
    reason: row.reason,
    durationSeconds: row.durationSeconds,
    grantEndsAt: row.grantEndsAt,
    revertOf: row.revertOf,
    extendsGrant: row.extendsGrant,
    takesBack: row.takesBack,
    resolution:
      row.resolvedBy && row.resolvedAt
        ? { by: row.resolvedBy, at: row.resolvedAt, reason: row.resolution ?? "" }
        : null,
    remindersSent: row.remindersSent,
    escalatedAt: row.escalatedAt,
    requesterId: row.requesterId,
    status: row.status,
    requiredApprovals: row.requiredApprovals,
    expiresAt: row.expiresAt,
    decidedBy: row.decidedBy,
    decisionNote: row.decisionNote,
    decidedAt: row.decidedAt,
    failureDetail: row.failureDetail,
    failureCode: row.failureCode,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt,
    card: row.cardChannel && row.cardTs ? { channel: row.cardChannel, ts: row.cardTs } : null,
    appliedAt: row.appliedAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    members: row.members.map((m) => ({
      position: m.position,
      ref: m.ref,
      email: m.email,
      vendorUserId: m.vendorUserId,
      roleWhenFiled: m.roleWhenFiled,
      extraRolesWhenFiled: (m.extraRolesWhenFiled ?? {}) as Record<string, string | null>,
      previousRole: m.previousRole,
      previousRoleId: m.previousRoleId,
      previousTeamRoles: (m.previousTeamRoles as TeamRole[] | null) ?? null,
      outcome: m.outcome,
      outcomeDetail: m.outcomeDetail,
    })),
    approvals: row.approvals.map((a) => ({ approverId: a.approverId, at: a.createdAt })),
  };
}

/** A request as its row is now, inside the caller's transaction. */
export async function rereadRequest(tx: Prisma.TransactionClient, id: string): Promise<RoleRequest> {
  return toRoleRequest(await tx.roleRequest.findUniqueOrThrow({ where: { id }, include: REQUEST_INCLUDE }));
}
