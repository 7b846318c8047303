// Time-bound grants end by themselves. When a grant is applied, each member it changed gets a
// revert: a request of its own, created APPROVED (nobody approves taking access away), due at
// the grant's end, that puts the member back in the role they had before — the role read right
// before the change, not a fixed "member". It runs through the same executor as every change:
// leased, retried, exactly once, and with the same re-read, so a member whose role someone
// changed meanwhile is not overwritten; the revert fails as state_changed and says so.
import type { Prisma } from "../../db/generated/client.js";
import { SYSTEM_ACTOR, type RequestMember, type RoleRequest, type TeamRole } from "../types.js";
import { REQUEST_INCLUDE, toRoleRequest } from "./rows.js";
import { audit, enqueueNotice, type Tx } from "./writes.js";

/** A revert's id: its grant's id and the member's position, so scheduling twice is a no-op. */
export const revertId = (grantId: string, position: number) => `${grantId}-R${position}`;

/** When a grant applied at `now` ends. */
export const grantEnd = (grant: Pick<RoleRequest, "durationSeconds">, now: Date) =>
  new Date(now.getTime() + (grant.durationSeconds ?? 0) * 1000);

/**
 * Sentry: the team roles a revert asks for — for each team the grant changed, the role the
 * member held there before, or null (out of the team) where they were not in it. Teams the
 * grant did not touch are left as they are at the vendor then.
 */
function teamRolesBefore(granted: readonly TeamRole[], before: readonly TeamRole[]): TeamRole[] {
  return granted.map((g) => ({
    team: g.team,
    role: before.find((b) => b.team.toLowerCase() === g.team.toLowerCase())?.role ?? null,
  }));
}

/** A time-bound grant, as opposed to a permanent change, a revert or an extension. */
export const isGrant = (request: Pick<RoleRequest, "durationSeconds" | "revertOf" | "extendsGrant">) =>
  request.durationSeconds !== null && request.revertOf === null && request.extendsGrant === null;

/**
 * After an attempt of a time-bound grant is recorded, in the same transaction: every member
 * whose change took effect gets its revert, whatever the grant's status (applied, failed after
 * changing some members, or waiting to try the rest again). Once the grant has no attempt left
 * (`final`), a member whose outcome was never learned — its previous role was read, which
 * happens only right before a call, but no answer came — gets one too, and is recorded as
 * unknown: a revert that finds the member still in their previous role changes nothing. The
 * grant's end is fixed by the first change that took effect; later ones end with it.
 */
export async function revertWhatTookEffect(
  tx: Tx,
  grantId: string,
  actor: string,
  now: Date,
  final: boolean,
): Promise<void> {
  const grant = toRoleRequest(
    await tx.roleRequest.findUniqueOrThrow({ where: { id: grantId }, include: REQUEST_INCLUDE }),
  );
  if (!isGrant(grant)) return;
  const unknown = final ? grant.members.filter((m) => m.outcome === "PENDING") : [];
  const took = [...grant.members.filter((m) => m.outcome === "APPLIED"), ...unknown].filter(
    (m) => m.previousRole !== null,
  );
  for (const member of unknown) {
    await tx.requestMember.update({
      where: { requestId_position: { requestId: grantId, position: member.position } },
      data: {
        outcome: "FAILED",
        outcomeDetail:
          "rolegate could not learn whether this change took effect" +
          (member.previousRole ? "; its revert runs at the grant's end in case it did" : ""),
      },
    });
  }
  if (took.length === 0) return;
  const endsAt = grant.grantEndsAt ?? grantEnd(grant, now);
  if (!grant.grantEndsAt) await tx.roleRequest.update({ where: { id: grantId }, data: { grantEndsAt: endsAt } });
  await scheduleReverts(tx, grant, took, actor, now, endsAt);
}

/** Creates a revert for each of `members` (those whose change took effect), in the caller's transaction. */
async function scheduleReverts(
  tx: Tx,
  grant: RoleRequest,
  members: readonly RequestMember[],
  actor: string,
  now: Date,
  endsAt: Date,
): Promise<void> {
  for (const member of members) {
    const id = revertId(grant.id, member.position);
    const data: Prisma.RoleRequestCreateInput = {
      id,
      kind: "SET_ROLE",
      target: grant.target,
      requestedRoleId: member.previousRoleId ?? member.previousRole!,
      requestedRoleName: member.previousRole!,
      reason: `The time-bound grant ${grant.id} ended.`,
      requesterId: SYSTEM_ACTOR,
      status: "APPROVED",
      requiredApprovals: 0,
      expiresAt: endsAt,
      nextAttemptAt: endsAt,
      decidedAt: now,
      createdAt: now,
      grant: { connect: { id: grant.id } },
      members: {
        create: [
          {
            position: 0,
            ref: member.ref,
            email: member.email,
            vendorUserId: member.vendorUserId,
            roleWhenFiled: grant.requestedRole.name,
          },
        ],
      },
      ...(grant.teamRoles
        ? {
            teamRoles: teamRolesBefore(
              grant.teamRoles,
              member.previousTeamRoles ?? [],
            ) as unknown as Prisma.InputJsonArray,
          }
        : {}),
    };
    const exists = await tx.roleRequest.findUnique({ where: { id }, select: { id: true } });
    if (exists) continue;
    await tx.roleRequest.create({ data });
    await audit(tx, id, "FILED", actor, now, {
      revertOf: grant.id,
      role: member.previousRole,
      dueAt: endsAt.toISOString(),
    });
  }
}

/**
 * An approved extension moves its grant's end by the extension's duration — from the current
 * end, or from now if that is later — and its reverts with it, while they have not started.
 * A revert already under way is not stopped: the access ends, and the audit trail says the
 * extension came too late.
 */
export async function extendGrant(tx: Tx, extension: RoleRequest, actor: string, now: Date): Promise<number> {
  const grantId = extension.extendsGrant!;
  await tx.$queryRaw`SELECT id FROM role_requests WHERE id = ${grantId} FOR UPDATE`;
  const grant = await tx.roleRequest.findUniqueOrThrow({ where: { id: grantId }, select: { grantEndsAt: true } });
  const from = Math.max(grant.grantEndsAt?.getTime() ?? now.getTime(), now.getTime());
  const newEnd = new Date(from + (extension.durationSeconds ?? 0) * 1000);
  const { count } = await tx.roleRequest.updateMany({
    where: { revertOf: grantId, status: "APPROVED", attempts: 0 },
    data: { nextAttemptAt: newEnd, expiresAt: newEnd, updatedAt: now },
  });
  if (count > 0) {
    await tx.roleRequest.update({
      where: { id: grantId },
      data: { grantEndsAt: newEnd, warnedDayAt: null, warnedHourAt: null },
    });
    await enqueueNotice(tx, grantId, "extended", actor);
  }
  await audit(tx, grantId, "EXTENDED", actor, now, {
    by: extension.id,
    endsAt: count > 0 ? newEnd.toISOString() : null,
    revertsMoved: count,
  });
  return count;
}

/** Ends a grant early: its reverts not yet taken up become due now. Returns how many. */
export async function revertsDueNow(tx: Tx, grantId: string, actor: string, now: Date): Promise<number> {
  const { count } = await tx.roleRequest.updateMany({
    where: { revertOf: grantId, status: "APPROVED", attempts: 0 },
    data: { nextAttemptAt: now, updatedAt: now },
  });
  if (count > 0) {
    await tx.roleRequest.update({ where: { id: grantId }, data: { grantEndsAt: now } });
    await audit(tx, grantId, "REVOKED", actor, now, { reverts: count });
    await enqueueNotice(tx, grantId, "revoked", actor);
  }
  return count;
}

/** The RESOLVED rows of a revert and its grant, and the notice that redraws the grant's card. */
export async function recordResolution(
  tx: Tx,
  revertId: string,
  actor: string,
  now: Date,
  details: Record<string, unknown>,
): Promise<void> {
  const { revertOf } = await tx.roleRequest.findUniqueOrThrow({ where: { id: revertId }, select: { revertOf: true } });
  await audit(tx, revertId, "RESOLVED", actor, now, details);
  if (revertOf) await audit(tx, revertOf, "RESOLVED", actor, now, { revert: revertId, ...details });
  await enqueueNotice(tx, revertId, "resolved", actor);
}
