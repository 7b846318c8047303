// Builds the inventory over an open database: its store, the sync of one target, and the loop
// that syncs each due target under its lease. The sync yields to the executor between pages, so
// reading ten thousand members never stands between an approval and its vendor call.
// wireRolegate (rolegate.ts) calls it for the process; test/support/inventory.ts for the tests.
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { sleep, type Clock } from "./clock.js";
import type { RolegateConfig } from "./config/file.js";
import type { Database } from "./db/database.js";
import { InventoryDesk } from "./inventory/inventory-desk.js";
import { InventoryLoop } from "./inventory/inventory-loop.js";
import { InventorySync, type SyncReport } from "./inventory/inventory-sync.js";
import { LedgerStore } from "./inventory/store/ledger-store.js";
import type { Logger } from "./logger.js";
import type { Metrics } from "./metrics/metrics.js";
import type { ApprovalPolicy } from "./requests/approval-policy.js";
import type { Filing } from "./requests/filing.js";
import type { SlackUserEmails } from "./requests/own-access.js";
import type { ConnectorRegistry } from "./vendors/connector.js";
import { AlertDelivery, type AlertCardPublisher } from "./inventory/alert-delivery.js";
import { OutsideChangeDecisions, type OutsideChange } from "./inventory/outside-changes.js";
import type { AuditRecord } from "./audit/audit-record.js";
import { auditFields } from "./audit/audit-log.js";
import { AlertStore } from "./inventory/store/alert-store.js";

/** The longest a sync waits between two pages for the executor to finish what it is doing. */
const MAX_YIELD_MS = 10_000;
/** A sync's lease: renewed every third of it, so a replica that died gives its target up soon. */
const LEASE_MS = 60_000;

export interface InventoryParts {
  database: Pick<Database, "prisma">;
  config: RolegateConfig;
  connectors: ConnectorRegistry;
  policy: Pick<ApprovalPolicy, "requiredApprovals" | "mayDecide">;
  /** Files the request a Revert asks for. */
  filing: Pick<Filing, "record">;
  /** Who is clicking, by email: nobody decides a change to their own access. */
  slackUsers: SlackUserEmails;
  /** Posts and redraws the cards of changes outside rolegate. */
  publisher: AlertCardPublisher;
  alertPollMs?: number;
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
  /** The ledger's store, when the caller built it already (App Home reads its counts). */
  store?: LedgerStore;
  /** When a running sync counts as slow and gives its slot up (30 s); tests shorten it. */
  slowSyncAfterMs?: number;
}

export interface Inventory {
  store: LedgerStore;
  loop: InventoryLoop;
  /** Posts each sync's card of changes outside rolegate, and redraws it after decisions. */
  alerts: AlertDelivery;
  decisions: OutsideChangeDecisions;
  desk: InventoryDesk;
}

export function wireInventory(parts: InventoryParts): Inventory {
  const { database, config, connectors, policy, clock, metrics } = parts;
  const logger = parts.logger.child({ component: "inventory" });
  const auditLogger = parts.logger.child({ component: "audit" });
  const store = parts.store ?? new LedgerStore(database.prisma);
  const alertStore = new AlertStore(database.prisma);
  const owner = parts.owner ?? `${hostname()}:${process.pid}:inventory:${randomBytes(3).toString("hex")}`;
  const alerts = new AlertDelivery({
    store: alertStore,
    publisher: parts.publisher,
    config,
    logger,
    owner,
    ...(parts.alertPollMs ? { pollMs: parts.alertPollMs } : {}),
  });
  const decisions = new OutsideChangeDecisions({
    store: alertStore,
    policy,
    ownAccess: { slackUsers: parts.slackUsers, connectors },
    filing: parts.filing,
    clock,
    cardsChanged: () => alerts.wake(),
    decided: (change) => auditLogger.info("audit event", auditFields(decisionRecord(change))),
  });
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
    owner,
    ...(parts.slowSyncAfterMs ? { slowAfterMs: parts.slowSyncAfterMs } : {}),
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
      if (report.alerts.length > 0) alerts.wake();
      parts.onSynced?.(report);
    },
    onFailed: (target) => metrics?.syncFailed(target),
  });
  const desk = new InventoryDesk({ store, policy, config, wake: () => loop.wake() });
  return { store, loop, alerts, decisions, desk };
}

/** An approver's Keep or Revert as the audit trail names it (the export reads the same from the table). */
function decisionRecord(change: OutsideChange): AuditRecord {
  return {
    id: `decision:${change.id}`,
    at: change.decidedAt ?? change.observedAt,
    source: "decision",
    event: change.status === "KEPT" ? "KEPT" : "REVERT_FILED",
    requestId: change.revertRequestId,
    target: change.target,
    members: [{ email: change.email, vendorUserId: change.vendorUserId }],
    roleBefore: change.from?.name ?? null,
    roleAfter: change.to?.name ?? null,
    durationSeconds: null,
    actor: change.decidedBy ?? "",
    actorEmail: null,
    reason: change.reason,
    details: { outsideChange: change.id.toString() },
  };
}
