// The changes outside rolegate and the cards that show them. A card is due while it must be
// posted or redrawn; a poster claims it (claimed_until, against the database's clock) so two
// replicas never post one card twice, and a decision makes it due again.
import { Prisma, type PrismaClient } from "../../db/generated/client.js";
import type { AlertCard, OutsideChange, OutsideChangeStore } from "../outside-changes.js";

type ChangeRow = Prisma.OutsideChangeGetPayload<object>;

export class AlertStore implements OutsideChangeStore {
  constructor(private readonly prisma: PrismaClient) {}

  async find(id: bigint): Promise<OutsideChange | null> {
    const row = await this.prisma.outsideChange.findUnique({ where: { id } });
    return row ? toChange(row) : null;
  }

  async keep(id: bigint, by: string, reason: string, now: Date): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const kept = await tx.outsideChange.updateMany({
        where: { id, status: "OPEN" },
        data: { status: "KEPT", decidedBy: by, decidedAt: now, reason },
      });
      if (kept.count === 0) return false;
      const change = (await tx.outsideChange.findUnique({ where: { id } }))!;
      // The ledger now explains the role by this acceptance, if it still shows this change.
      await tx.ledgerMember.updateMany({
        where: { target: change.target, vendorUserId: change.vendorUserId, outsideChangeId: id },
        data: { reason: "ACCEPTED" },
      });
      await makeDue(tx, change.syncId);
      return true;
    });
  }

  async reverting(id: bigint, by: string, requestId: string, now: Date): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const marked = await tx.outsideChange.updateMany({
        where: { id, status: "OPEN" },
        data: { status: "REVERTING", decidedBy: by, decidedAt: now, revertRequestId: requestId },
      });
      if (marked.count === 0) return false;
      await makeDue(tx, (await tx.outsideChange.findUnique({ where: { id } }))!.syncId);
      return true;
    });
  }

  async openOf(cardId: bigint): Promise<OutsideChange[]> {
    const card = await this.prisma.alertCard.findUnique({ where: { id: cardId } });
    if (!card) return [];
    const rows = await this.prisma.outsideChange.findMany({
      where: { syncId: card.syncId, status: "OPEN" },
      orderBy: { id: "asc" },
    });
    return rows.map(toChange);
  }

  /** Claims up to `limit` due cards for `owner` for `claimMs`; their ids. */
  async claimDue(owner: string, claimMs: number, limit = 10): Promise<bigint[]> {
    const rows = await this.prisma.$queryRaw<{ id: bigint }[]>`
      UPDATE alert_cards SET claimed_by = ${owner}, claimed_until = now() + ${claimMs} * interval '1 millisecond'
      WHERE id IN (
        SELECT id FROM alert_cards
        WHERE due_at <= now() AND (claimed_until IS NULL OR claimed_until <= now())
        ORDER BY due_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      RETURNING id`;
    return rows.map((r) => r.id);
  }

  /** The card with its changes; `dueAt` is what a redraw must find unchanged to clear it. */
  async card(id: bigint): Promise<(AlertCard & { dueAt: Date | null; attempts: number }) | null> {
    const card = await this.prisma.alertCard.findUnique({ where: { id } });
    if (!card) return null;
    const changes = await this.prisma.outsideChange.findMany({
      where: { syncId: card.syncId },
      orderBy: { id: "asc" },
    });
    return {
      id: card.id,
      target: card.target,
      channel: card.channel,
      ts: card.ts,
      dueAt: card.dueAt,
      attempts: card.attempts,
      changes: changes.map(toChange),
    };
  }

  /** Posted or redrawn: not due, unless a decision made it due again meanwhile. */
  async delivered(
    id: bigint,
    owner: string,
    seenDueAt: Date | null,
    where: { channel: string; ts: string },
  ): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE alert_cards SET channel = ${where.channel}, ts = ${where.ts}, attempts = 0, last_error = NULL,
        claimed_by = NULL, claimed_until = NULL,
        due_at = CASE WHEN due_at IS NOT DISTINCT FROM ${seenDueAt} THEN NULL ELSE due_at END
      WHERE id = ${id} AND claimed_by = ${owner}`;
  }

  /** Slack did not take it: try again in `retryMs`, saying why. */
  async failed(id: bigint, owner: string, retryMs: number, error: string): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE alert_cards SET due_at = now() + ${retryMs} * interval '1 millisecond', attempts = attempts + 1,
        last_error = ${error.slice(0, 500)}, claimed_by = NULL, claimed_until = NULL
      WHERE id = ${id} AND claimed_by = ${owner}`;
  }
}

/** Each sync that found changes to decide gets its card, due at once. */
export async function createCard(tx: Prisma.TransactionClient, target: string, syncId: string): Promise<void> {
  await tx.alertCard.upsert({ where: { syncId }, create: { target, syncId }, update: {} });
}

async function makeDue(tx: Prisma.TransactionClient, syncId: string): Promise<void> {
  await tx.$executeRaw`UPDATE alert_cards SET due_at = LEAST(COALESCE(due_at, now()), now()) WHERE sync_id = ${syncId}`;
}

function toChange(row: ChangeRow): OutsideChange {
  return {
    id: row.id,
    target: row.target,
    vendorUserId: row.vendorUserId,
    email: row.email,
    from: row.fromRoleId ? { id: row.fromRoleId, name: row.fromRoleName ?? row.fromRoleId } : null,
    to: row.toRoleId ? { id: row.toRoleId, name: row.toRoleName ?? row.toRoleId } : null,
    notBefore: row.notBefore,
    observedAt: row.observedAt,
    failedRevertOf: row.failedRevertOf,
    status: row.status,
    decidedBy: row.decidedBy,
    decidedAt: row.decidedAt,
    reason: row.reason,
    revertRequestId: row.revertRequestId,
  };
}
