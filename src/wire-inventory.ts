// Builds the inventory over an open database: its store, the sync of one target, and the loop
// that syncs each due target under its lease. The sync yields to the executor between pages, so
// reading ten thousand members never stands between an approval and its vendor call.
// wireRolegate (rolegate.ts) calls it for the process; test/support/inventory.ts for the tests.
import { sleep, type Clock } from "./clock.js";
import type { RolegateConfig } from "./config/file.js";
import type { Database } from "./db/database.js";
import { InventoryLoop } from "./inventory/inventory-loop.js";
import { InventorySync, type SyncReport } from "./inventory/inventory-sync.js";
import { LedgerStore } from "./inventory/store/ledger-store.js";
import type { Logger } from "./logger.js";
import type { Metrics } from "./metrics/metrics.js";
import type { ApprovalPolicy } from "./requests/approval-policy.js";
import type { ConnectorRegistry } from "./vendors/connector.js";

/** The longest a sync waits between two pages for the executor to finish what it is doing. */
const MAX_YIELD_MS = 10_000;
/** A sync's lease: renewed every third of it, so a replica that died gives its target up soon. */
const LEASE_MS = 60_000;

export interface InventoryParts {
  database: Pick<Database, "prisma">;
  config: RolegateConfig;
  connectors: ConnectorRegistry;
  policy: Pick<ApprovalPolicy, "requiredApprovals">;
  clock: Clock;
  logger: Logger;
  /** Whether an approved change is being applied now: the sync waits between pages while it is. */
  executorBusy?: () => boolean;
  metrics?: Pick<Metrics, "synced" | "syncFailed">;
  /** Told of each sync's end, after the metrics (the digest card, whoever asked for it). */
  onSynced?: (report: SyncReport) => void;
  pollMs?: number;
  owner?: string;
  leaseMs?: number;
}

export interface Inventory {
  store: LedgerStore;
  loop: InventoryLoop;
}

export function wireInventory(parts: InventoryParts): Inventory {
  const { database, config, connectors, policy, clock, metrics } = parts;
  const logger = parts.logger.child({ component: "inventory" });
  const store = new LedgerStore(database.prisma);
  const leaseMs = parts.leaseMs ?? LEASE_MS;
  const busy = parts.executorBusy;
  const sync = new InventorySync({
    store,
    connectors,
    config,
    policy,
    clock,
    logger,
    leaseMs,
    ...(busy
      ? {
          betweenPages: async () => {
            for (let waited = 0; busy() && waited < MAX_YIELD_MS; waited += 20) await sleep(20);
          },
        }
      : {}),
  });
  const loop = new InventoryLoop({
    store,
    sync,
    config,
    logger,
    leaseMs,
    ...(parts.pollMs ? { pollMs: parts.pollMs } : {}),
    ...(parts.owner ? { owner: parts.owner } : {}),
    onSynced: (report) => {
      metrics?.synced(report);
      const level = report.outcome === "complete" ? "info" : "warn";
      logger[level]("inventory synced", {
        target: report.target,
        outcome: report.outcome,
        members: report.members,
        changes: report.changes,
        alerts: report.alerts.length,
        calls: report.calls,
        seconds: Math.round(report.seconds * 10) / 10,
        ...(report.problems.length > 0 ? { problems: report.problems } : {}),
      });
      parts.onSynced?.(report);
    },
    onFailed: (target) => metrics?.syncFailed(target),
  });
  return { store, loop };
}
