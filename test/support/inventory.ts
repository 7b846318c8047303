// The inventory over a test world, wired by the process's own function (src/wire-inventory.ts),
// with a way to run one target's sync now and read what it reported.
import type { AlertCardPublisher, AlertDelivery } from "../../src/inventory/alert-delivery.js";
import type { SyncReport } from "../../src/inventory/inventory-sync.js";
import type { AlertCard, OutsideChangeDecisions } from "../../src/inventory/outside-changes.js";
import type { InventoryLoop } from "../../src/inventory/inventory-loop.js";
import type { LedgerStore } from "../../src/inventory/store/ledger-store.js";
import { ApprovalPolicy } from "../../src/requests/approval-policy.js";
import type { ConnectorRegistry } from "../../src/vendors/connector.js";
import { wireInventory } from "../../src/wire-inventory.js";
import type { Logger } from "../../src/logger.js";
import { quietLogger, type TestDatabase } from "./database.js";
import type { World } from "./world.js";

/** The cards as Slack would have them: posted once, then redrawn in place. */
class RecordingPublisher implements AlertCardPublisher {
  readonly cards = new Map<string, AlertCard>();
  posts = 0;
  failing = false;

  async post(channel: string, card: AlertCard): Promise<string> {
    if (this.failing) throw new Error("Slack is down");
    const ts = `${++this.posts}.000`;
    this.cards.set(`${channel} ${ts}`, card);
    return ts;
  }

  async update(channel: string, ts: string, card: AlertCard): Promise<void> {
    if (this.failing) throw new Error("Slack is down");
    this.cards.set(`${channel} ${ts}`, card);
  }
}

export interface TestInventory {
  store: LedgerStore;
  loop: InventoryLoop;
  alerts: AlertDelivery;
  decisions: OutsideChangeDecisions;
  publisher: RecordingPublisher;
  reports: SyncReport[];
  /** Asks for a sync of `target` now, runs it to its end, and returns its report. */
  syncNow(target: string): Promise<SyncReport | undefined>;
}

export function inventoryOf(
  world: World,
  database: TestDatabase,
  options: {
    owner?: string;
    connectors?: ConnectorRegistry;
    leaseMs?: number;
    executorBusy?: () => boolean;
    slowSyncAfterMs?: number;
    logger?: Logger;
  } = {},
): TestInventory {
  const reports: SyncReport[] = [];
  const publisher = new RecordingPublisher();
  const { store, loop, alerts, decisions } = wireInventory({
    database,
    config: world.config,
    connectors: options.connectors ?? world.connectors,
    policy: new ApprovalPolicy(world.config, world.directory),
    filing: world.filing,
    slackUsers: world.slackUsers,
    publisher,
    clock: world.clock.now,
    logger: options.logger ?? quietLogger,
    pollMs: 20,
    onSynced: (report) => reports.push(report),
    ...(options.owner ? { owner: options.owner } : {}),
    alertPollMs: 20,
    ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
    ...(options.executorBusy ? { executorBusy: options.executorBusy } : {}),
    ...(options.slowSyncAfterMs ? { slowSyncAfterMs: options.slowSyncAfterMs } : {}),
  });
  return {
    store,
    loop,
    alerts,
    decisions,
    publisher,
    reports,
    async syncNow(target) {
      await store.requestSync(target, "U0APPROVE");
      const before = reports.length;
      // One sync at a time, the longest due first: the world's other targets may go before it.
      for (let turn = 0; turn < 10; turn++) {
        await loop.tick();
        await loop.idle();
        const report = reports.slice(before).find((r) => r.target === target);
        if (report) return report;
      }
      return undefined;
    },
  };
}
