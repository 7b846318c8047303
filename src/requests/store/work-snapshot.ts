// The state of rolegate's work as the metrics report it, read in one round trip at each scrape.
import type { PrismaClient } from "../../db/generated/client.js";

export interface WorkSnapshot {
  byStatus: Record<string, number>;
  /** APPROVED and due now: what the executors have yet to take up. */
  dueApproved: number;
  /** How long the oldest approved-but-not-applied request has waited since approval; 0 if none. */
  oldestApprovedSeconds: number;
  failedReverts: number;
  outboxDepth: number;
}

export async function readWorkSnapshot(prisma: PrismaClient): Promise<WorkSnapshot> {
  const [statuses, work] = await Promise.all([
    prisma.$queryRaw<
      { status: string; n: bigint }[]
    >`SELECT status::text AS status, count(*) AS n FROM role_requests GROUP BY status`,
    prisma.$queryRaw<{ due: bigint; oldest: number | null; failed_reverts: bigint; outbox: bigint }[]>`
      SELECT
        (SELECT count(*) FROM role_requests WHERE status = 'APPROVED' AND (next_attempt_at IS NULL OR next_attempt_at <= now())) AS due,
        (SELECT extract(epoch FROM now() - min(decided_at))::float8 FROM role_requests
           WHERE status IN ('APPROVED', 'EXECUTING') AND revert_of IS NULL) AS oldest,
        (SELECT count(*) FROM role_requests WHERE status = 'FAILED' AND revert_of IS NOT NULL AND resolved_at IS NULL) AS failed_reverts,
        (SELECT count(*) FROM notices WHERE done_at IS NULL) AS outbox`,
  ]);
  const row = work[0]!;
  return {
    byStatus: Object.fromEntries(statuses.map((s) => [s.status, Number(s.n)])),
    dueApproved: Number(row.due),
    oldestApprovedSeconds: Math.max(0, row.oldest ?? 0),
    failedReverts: Number(row.failed_reverts),
    outboxDepth: Number(row.outbox),
  };
}
