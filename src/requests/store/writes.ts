// The writes every change of a request is made of, inside the caller's transaction: the one
// conditional status change, its row in the append-only audit trail, and the notice that will
// tell people (the outbox). People's decisions, the executor and the expiry sweep all change a
// request's status through transitionRow(), so none of them can skip a check or a record.
import type { Prisma } from "../../db/generated/client.js";
import { isTransition, SYSTEM_TRANSITIONS } from "../lifecycle.js";
import type { NoticeType } from "../notifier.js";
import { SYSTEM_ACTOR, type AuditEventType, type RequestStatus } from "../types.js";

export type Tx = Prisma.TransactionClient;

export async function audit(
  tx: Tx,
  requestId: string,
  type: AuditEventType,
  actor: string,
  at: Date,
  details: Record<string, unknown>,
): Promise<void> {
  await tx.auditEvent.create({
    data: { requestId, type, actor, details: details as Prisma.InputJsonObject, createdAt: at },
  });
}

/** Queues a notice; the dispatcher delivers it after the transaction commits. */
export async function enqueueNotice(tx: Tx, requestId: string, type: NoticeType, actor: string): Promise<void> {
  await tx.notice.create({ data: { requestId, type, actor } });
}

export interface RowTransition {
  id: string;
  from: RequestStatus;
  to: RequestStatus;
  event: AuditEventType;
  actor: string;
  now: Date;
  /** Further columns to set with the status. */
  data?: Prisma.RoleRequestUpdateManyMutationInput;
  /** Further conditions the row must meet (an executor's lease). */
  where?: Prisma.RoleRequestWhereInput;
  details?: Record<string, unknown>;
  /** What people are told; null: nothing. */
  notice: NoticeType | null;
}

/**
 * Moves a request from one status to the next, only if it is still in `from` (and meets
 * `where`), recording the audit row and queueing the notice with it. False when the row had
 * moved on: the caller lost a race and must not act as if it had won.
 */
export async function transitionRow(tx: Tx, change: RowTransition): Promise<boolean> {
  if (!isTransition(change.from, change.to, change.event)) {
    throw new Error(
      `${change.from} → ${change.to} (${change.event}) is not a transition the lifecycle lists (lifecycle.ts TRANSITIONS)`,
    );
  }
  const { count } = await tx.roleRequest.updateMany({
    where: { ...change.where, id: change.id, status: change.from },
    data: { ...change.data, status: change.to, updatedAt: change.now },
  });
  if (count !== 1) return false;
  await audit(tx, change.id, change.event, change.actor, change.now, change.details ?? {});
  if (change.notice) await enqueueNotice(tx, change.id, change.notice, change.actor);
  return true;
}

/** PENDING → EXPIRED for a locked row; false if it had already moved on. */
export function expireLocked(tx: Tx, id: string, now: Date): Promise<boolean> {
  const { from, to, event, notice } = SYSTEM_TRANSITIONS.expire;
  return transitionRow(tx, { id, from, to, event, actor: SYSTEM_ACTOR, now, data: { decidedAt: now }, notice });
}
