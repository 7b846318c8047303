// The audit log writer's place in each append-only trail (audit_events, ledger_changes) and its
// lease (against the database's clock), so one replica at a time writes the log lines, each
// event once, in id order.
import type { PrismaClient } from "../../db/generated/client.js";

/** The trails the log follows; a name is its table. */
export type TrailName = "audit_events" | "ledger_changes";

export class AuditLogTailStore {
  /** Trails whose row is known to exist: the first claim's insert is not repeated every second. */
  private readonly started = new Set<TrailName>();

  constructor(private readonly prisma: PrismaClient) {}

  /**
   * Takes (or keeps) the lease and returns where the log has got to; null when another replica
   * writes it. The first time ever, the log starts after the newest event: history already
   * exported is not poured into the log of a deployment that just upgraded.
   */
  async claim(name: TrailName, owner: string, leaseMs: number): Promise<bigint | null> {
    if (!this.started.has(name)) {
      const newest =
        name === "audit_events"
          ? await this.prisma.auditEvent.aggregate({ _max: { id: true } })
          : await this.prisma.ledgerChange.aggregate({ _max: { id: true } });
      await this.prisma.$executeRaw`
        INSERT INTO audit_log_tail (name, last_id) VALUES (${name}, ${newest._max.id ?? 0n})
        ON CONFLICT (name) DO NOTHING`;
      this.started.add(name);
    }
    const rows = await this.prisma.$queryRaw<{ last_id: bigint }[]>`
      UPDATE audit_log_tail SET lease_owner = ${owner}, lease_expires_at = now() + ${leaseMs} * interval '1 millisecond'
      WHERE name = ${name} AND (lease_owner = ${owner} OR lease_expires_at IS NULL OR lease_expires_at <= now())
      RETURNING last_id`;
    return rows[0]?.last_id ?? null;
  }

  /** Records how far the log has got, if the lease is still ours. */
  async advance(name: TrailName, owner: string, lastId: bigint): Promise<void> {
    await this.prisma.$executeRaw`
      UPDATE audit_log_tail SET last_id = ${lastId} WHERE name = ${name} AND lease_owner = ${owner} AND last_id < ${lastId}`;
  }
}
