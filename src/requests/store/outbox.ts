// The notices table: what people are to be told, queued by the transaction that made the change
// and taken from here by a dispatcher. Claims use the database's clock and SKIP LOCKED, so
// several processes share the work; a request's notices go out in the order they were queued.
import type { PrismaClient } from "../../db/generated/client.js";
import type { NoticeType } from "../notifier.js";

export interface QueuedNotice {
  id: bigint;
  requestId: string;
  type: NoticeType;
  actor: string;
  attempts: number;
  /** Claims that may have reached Slack, this one included. */
  claims: number;
  createdAt: Date;
}

interface Row {
  id: bigint;
  request_id: string;
  type: string;
  actor: string;
  attempts: number;
  claims: number;
  created_at: Date;
}

export class Outbox {
  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Claims up to `limit` notices that are due, for `claimMs`: for each request only its oldest
   * one not yet done, so a card is posted before it is updated and DMs arrive in order.
   */
  async claimDue(owner: string, limit: number, claimMs: number): Promise<QueuedNotice[]> {
    const rows = await this.prisma.$queryRaw<Row[]>`
      WITH next AS (
        SELECT n.id FROM notices n
        WHERE n.done_at IS NULL AND n.due_at <= now()
          AND (n.claimed_until IS NULL OR n.claimed_until < now())
          AND NOT EXISTS (SELECT 1 FROM notices e WHERE e.request_id = n.request_id AND e.done_at IS NULL AND e.id < n.id)
        ORDER BY n.id
        LIMIT ${limit}
        FOR UPDATE SKIP LOCKED)
      UPDATE notices n SET claimed_by = ${owner}, claimed_until = now() + ${claimMs} * interval '1 millisecond', claims = n.claims + 1
      FROM next WHERE n.id = next.id
      RETURNING n.id, n.request_id, n.type, n.actor, n.attempts, n.claims, n.created_at`;
    return rows
      .map((r) => ({
        id: r.id,
        requestId: r.request_id,
        type: r.type as NoticeType,
        actor: r.actor,
        attempts: r.attempts,
        claims: r.claims,
        createdAt: r.created_at,
      }))
      .sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  /**
   * Extends the claim on notices of a batch still being delivered (the heartbeat): a batch may
   * take longer than one claim when Slack sets its pace.
   */
  async renew(owner: string, ids: bigint[], claimMs: number): Promise<void> {
    if (ids.length === 0) return;
    await this.prisma.$executeRaw`
      UPDATE notices SET claimed_until = now() + ${claimMs} * interval '1 millisecond'
      WHERE id = ANY(${ids}::bigint[]) AND claimed_by = ${owner} AND done_at IS NULL`;
  }

  /** Gives notices of an abandoned batch back to the queue, untried: due now, their tries unchanged. */
  async release(owner: string, ids: bigint[]): Promise<void> {
    if (ids.length === 0) return;
    await this.prisma.$executeRaw`
      UPDATE notices SET claimed_by = NULL, claimed_until = NULL, claims = claims - 1
      WHERE id = ANY(${ids}::bigint[]) AND claimed_by = ${owner} AND done_at IS NULL`;
  }

  /**
   * Slack took a notice again after failing: every notice waiting out a failure's pause is due
   * now, so cards catch up as soon as Slack is back rather than after each one's backoff.
   */
  async retryFailedNow(): Promise<number> {
    return this.prisma.$executeRaw`
      UPDATE notices SET due_at = now() WHERE done_at IS NULL AND last_error IS NOT NULL AND due_at > now() AND claimed_by IS NULL`;
  }

  /** Delivered: done. */
  async delivered(notice: QueuedNotice, owner: string): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE notices SET done_at = now(), claimed_by = NULL, claimed_until = NULL, attempts = attempts + 1, last_error = NULL
      WHERE id = ${notice.id} AND claimed_by = ${owner}`;
  }

  /** Not delivered: try again after `retryInMs`, or never (`giveUp`, which still counts as done). */
  async failed(notice: QueuedNotice, owner: string, error: string, retryInMs: number, giveUp: boolean): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE notices
      SET attempts = attempts + 1, last_error = ${error}, claimed_by = NULL, claimed_until = NULL,
          due_at = now() + ${retryInMs} * interval '1 millisecond',
          done_at = CASE WHEN ${giveUp} THEN now() ELSE NULL END
      WHERE id = ${notice.id} AND claimed_by = ${owner}`;
  }

  /** Not now, and not a failure (Slack's pace): due again after `afterMs`, its tries unchanged. */
  async later(notice: QueuedNotice, owner: string, afterMs: number): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE notices SET claimed_by = NULL, claimed_until = NULL, due_at = now() + ${Math.ceil(afterMs)} * interval '1 millisecond', claims = claims - 1
      WHERE id = ${notice.id} AND claimed_by = ${owner}`;
  }
}
