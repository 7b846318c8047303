// The inventory over a test world, wired by the process's own function (src/wire-inventory.ts),
// with a way to run one target's sync now and read what it reported.
import type { SyncReport } from "../../src/inventory/inventory-sync.js";
import type { InventoryLoop } from "../../src/inventory/inventory-loop.js";
import type { LedgerStore } from "../../src/inventory/store/ledger-store.js";
import { ApprovalPolicy } from "../../src/requests/approval-policy.js";
import type { ConnectorRegistry } from "../../src/vendors/connector.js";
import { wireInventory } from "../../src/wire-inventory.js";
import { quietLogger, type TestDatabase } from "./database.js";
import type { World } from "./world.js";

export interface TestInventory {
  store: LedgerStore;
  loop: InventoryLoop;
  reports: SyncReport[];
  /** Asks for a sync of `target` now, runs it to its end, and returns its report. */
  syncNow(target: string): Promise<SyncReport | undefined>;
}

export function inventoryOf(
  world: World,
  database: TestDatabase,
  options: { owner?: string; connectors?: ConnectorRegistry; leaseMs?: number; executorBusy?: () => boolean } = {},
): TestInventory {
  const reports: SyncReport[] = [];
  const { store, loop } = wireInventory({
    database,
    config: world.config,
    connectors: options.connectors ?? world.connectors,
    policy: new ApprovalPolicy(world.config, world.directory),
    clock: world.clock.now,
    logger: quietLogger,
    pollMs: 20,
    onSynced: (report) => reports.push(report),
    ...(options.owner ? { owner: options.owner } : {}),
    ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
    ...(options.executorBusy ? { executorBusy: options.executorBusy } : {}),
  });
  return {
    store,
    loop,
    reports,
    async syncNow(target) {
      if (!(await store.requestSync(target, "U0APPROVE"))) await store.scheduleAtStart([target], 0);
      const before = reports.length;
      await loop.tick();
      await loop.idle();
      return reports.slice(before).find((r) => r.target === target);
    },
  };
}
