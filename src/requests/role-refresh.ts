// Approvers always decide on a known current role. Where a member's role could not be read at
// filing (the vendor was slow or down), the card says "unknown" and approvals do not count yet;
// this keeps reading it in the background and updates the card once the vendor answers.
import type { Clock } from "../clock.js";
import type { Logger } from "../logger.js";
import type { ConnectorRegistry } from "../vendors/connector.js";
import type { RoleReading, Sweeps } from "./store/sweeps.js";
import { isUnknownRole, roleWhenFiledIn, targetsOf, type RoleRequest } from "./types.js";

export interface RoleRefreshDeps {
  sweeps: Pick<Sweeps, "withUnknownRoles" | "recordRolesRead">;
  connectors: ConnectorRegistry;
  /** Called after a role was recorded: its card update waits in the outbox. */
  noticesAvailable?: () => void;
  clock: Clock;
  logger: Logger;
  /** How long to wait before asking the vendor again about the same request. */
  intervalMs?: number;
  lookupTimeoutMs?: number;
}

export class RoleRefresh {
  /** When each request was last tried, so a vendor that stays down is not hammered. */
  private readonly lastTried = new Map<string, number>();

  constructor(private readonly deps: RoleRefreshDeps) {}

  /** Reads what is due; returns how many requests had a role recorded. */
  async run(): Promise<number> {
    const { sweeps, clock } = this.deps;
    const now = clock().getTime();
    const waiting = await sweeps.withUnknownRoles();
    for (const id of this.lastTried.keys()) if (!waiting.some((r) => r.id === id)) this.lastTried.delete(id);
    let recorded = 0;
    for (const request of waiting) {
      if (now - (this.lastTried.get(request.id) ?? -Infinity) < (this.deps.intervalMs ?? 30_000)) continue;
      this.lastTried.set(request.id, now);
      const readings = await this.read(request);
      if (readings.length === 0) continue;
      if (!(await sweeps.recordRolesRead(request.id, readings, clock()))) continue;
      recorded++;
      this.deps.noticesAvailable?.();
    }
    return recorded;
  }

  /** The unknown roles the vendor answers for now; a lookup that fails again is left for later. */
  private async read(request: RoleRequest): Promise<RoleReading[]> {
    const readings: RoleReading[] = [];
    for (const member of request.members) {
      for (const target of targetsOf(request)) {
        if (!isUnknownRole(roleWhenFiledIn(request, member, target))) continue;
        try {
          const found = await this.deps.connectors
            .forTarget(target)
            .findMember(
              { ref: member.ref, email: member.email, vendorUserId: member.vendorUserId },
              { signal: AbortSignal.timeout(this.deps.lookupTimeoutMs ?? 8_000) },
            );
          readings.push({ position: member.position, target, role: found?.role.name ?? null });
        } catch (error) {
          this.deps.logger.debug("a member's role is still unreadable", { request: request.id, target, error });
        }
      }
    }
    return readings;
  }
}
