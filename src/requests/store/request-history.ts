// The history read model: what /role history, /role show and App Home read, answered with
// keyset pages so a page costs the same at the millionth request as at the first.
import type { Prisma, PrismaClient } from "../../db/generated/client.js";
import type { AuditEntry, HistoryCursor, HistoryQuery, HistoryReader, RequestHistory } from "../history.js";
import type { RoleRequest } from "../types.js";
import { REQUEST_INCLUDE, toRoleRequest } from "./rows.js";

export class StoredHistory implements RequestHistory {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * The newest requests first, of those `visibleTo` may see: their own, and those whose every
   * target they approve (visibility.ts's rule, written as a query).
   */
  async list(
    query: HistoryQuery,
    limit: number,
    visibleTo: HistoryReader,
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

  /** The reverts of a time-bound grant, by member position. */
  async revertsOf(grantId: string): Promise<RoleRequest[]> {
    const rows = await this.prisma.roleRequest.findMany({
      where: { revertOf: grantId },
      include: REQUEST_INCLUDE,
      orderBy: { id: "asc" },
    });
    return rows.map(toRoleRequest);
  }
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
