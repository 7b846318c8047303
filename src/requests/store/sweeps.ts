// The writes housekeeping makes by the clock rather than for a person: expiry, "ending soon"
// warnings, reminders, escalation, and the roles read after filing. Each claims its rows with
// FOR UPDATE SKIP LOCKED and commits each change with its audit row and notice, so two replicas
// sweeping at once never queue a notice twice.
import type { PrismaClient } from "../../db/generated/client.js";
import { isUnknownRole, roleWhenFiledIn, SYSTEM_ACTOR, UNKNOWN_ROLE, type RoleRequest } from "../types.js";
import { REQUEST_INCLUDE, rereadRequest, toRoleRequest, TX_OPTIONS } from "./rows.js";
import { audit, enqueueNotice, expireLocked } from "./writes.js";

/** A member's current role in one target, read after filing (null: not a member). */
export interface RoleReading {
  position: number;
  target: string;
  role: string | null;
}

export class Sweeps {
  constructor(private readonly prisma: PrismaClient) {}

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
      const before = await rereadRequest(tx, id);
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
      return rereadRequest(tx, id);
    }, TX_OPTIONS);
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
