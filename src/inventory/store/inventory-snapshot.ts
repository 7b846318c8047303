// The inventory as the metrics report it, read from the database at each scrape so every replica
// reports the same: who holds each role per target, the changes outside rolegate waiting for a
// decision, and how old each target's last complete sync is.
import type { PrismaClient } from "../../db/generated/client.js";

export interface InventorySnapshot {
  members: { target: string; role: string; count: number }[];
  outsideOpen: { target: string; count: number }[];
  /** Seconds since the last complete sync (since scheduling, for one never synced). */
  syncAge: { target: string; seconds: number }[];
  /** Reverts rolegate ran that did not take effect, still undecided. */
  revertsNotTaken: number;
}

export async function readInventorySnapshot(prisma: PrismaClient): Promise<InventorySnapshot> {
  const [members, open, ages] = await Promise.all([
    prisma.$queryRaw<{ target: string; role: string; n: bigint }[]>`
      SELECT target, role_name AS role, count(*) AS n FROM ledger_members WHERE removed_at IS NULL
      GROUP BY target, role_name`,
    prisma.$queryRaw<{ target: string; n: bigint; reverts: bigint }[]>`
      SELECT target, count(*) AS n, count(failed_revert_of) AS reverts FROM outside_changes WHERE status = 'OPEN'
      GROUP BY target`,
    prisma.$queryRaw<{ target: string; seconds: number }[]>`
      SELECT target, extract(epoch FROM now() - COALESCE(synced_at, created_at))::float8 AS seconds FROM inventory_targets`,
  ]);
  return {
    members: members.map((m) => ({ target: m.target, role: m.role, count: Number(m.n) })),
    outsideOpen: open.map((o) => ({ target: o.target, count: Number(o.n) })),
    syncAge: ages.map((a) => ({ target: a.target, seconds: Math.max(0, a.seconds) })),
    revertsNotTaken: open.reduce((sum, o) => sum + Number(o.reverts), 0),
  };
}
