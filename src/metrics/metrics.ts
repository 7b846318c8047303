// What rolegate tells Prometheus at /metrics. Counters and histograms are kept in process as
// things happen (decisions, vendor calls, notices Slack did not take); the state of the work —
// requests by status, the executor's queue, the outbox, reverts that failed — is read from the
// database at each scrape, so every replica reports the same shared truth and nothing drifts.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { InventorySnapshot } from "../inventory/store/inventory-snapshot.js";
import type { SyncReport } from "../inventory/inventory-sync.js";
import type { WorkSnapshot } from "../requests/store/work-snapshot.js";

interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface MetricsSources {
  snapshot: () => Promise<WorkSnapshot>;
  /** The ledger's counts; absent: no inventory gauges. */
  inventory?: () => Promise<InventorySnapshot>;
  /** The database connection pool; undefined for the embedded database, which has none. */
  pool?: () => PoolStats | undefined;
  /** Whether Slack's Web API answered rolegate's last auth.test. */
  slackUp?: () => boolean;
}

const STATUSES = ["PENDING", "APPROVED", "EXECUTING", "APPLIED", "FAILED", "DENIED", "CANCELLED", "EXPIRED"] as const;

export class Metrics {
  readonly registry = new Registry();

  private readonly decisions = new Counter({
    name: "rolegate_decisions_total",
    help: "People's decisions on requests (approve, deny, cancel, retry), by outcome: ok, or the refusal code.",
    labelNames: ["command", "outcome"] as const,
    registers: [this.registry],
  });
  private readonly vendorCalls = new Counter({
    name: "rolegate_vendor_calls_total",
    help: "Calls to a vendor's API, by vendor, operation and outcome (ok, or the kind of failure).",
    labelNames: ["vendor", "operation", "outcome"] as const,
    registers: [this.registry],
  });
  private readonly vendorSeconds = new Histogram({
    name: "rolegate_vendor_call_duration_seconds",
    help: "How long a vendor call took, whatever its outcome.",
    labelNames: ["vendor", "operation"] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly noticeFailures = new Counter({
    name: "rolegate_slack_notice_failures_total",
    help: "Card updates and DMs Slack refused or did not answer (each is retried from the outbox).",
    labelNames: ["notice"] as const,
    registers: [this.registry],
  });
  private readonly noticeDeferrals = new Counter({
    name: "rolegate_slack_notice_deferrals_total",
    help: "Notices that stepped aside for Slack's pace: a channel past one message a second, or a 429 (each goes at its turn).",
    labelNames: ["notice"] as const,
    registers: [this.registry],
  });
  private readonly syncSeconds = new Histogram({
    name: "rolegate_inventory_sync_duration_seconds",
    help: "How long a sync of a target's members took, whatever its outcome.",
    labelNames: ["target"] as const,
    buckets: [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    registers: [this.registry],
  });
  private readonly syncFailures = new Counter({
    name: "rolegate_inventory_sync_failures_total",
    help: "Syncs that did not read a target whole: partial (a page failed, duplicates, zero members), failed (an error), lease_lost.",
    labelNames: ["target", "outcome"] as const,
    registers: [this.registry],
  });
  private readonly inventoryMembers = this.gauge(
    "rolegate_inventory_members",
    "Members each target's ledger says hold each role now.",
    ["target", "role"],
  );
  private readonly outsideOpen = this.gauge(
    "rolegate_outside_changes_open",
    "Changes made outside rolegate waiting for an approver's Keep or Revert.",
    ["target"],
  );
  private readonly syncAge = this.gauge(
    "rolegate_inventory_sync_age_seconds",
    "Seconds since the target's last complete sync (since it was scheduled, if it never had one).",
    ["target"],
  );
  private readonly requests = this.gauge(
    "rolegate_requests",
    "Requests by status (reverts of time-bound grants included).",
    ["status"],
  );
  private readonly queueDepth = this.gauge(
    "rolegate_executor_queue_depth",
    "Approved requests due for the executor now.",
  );
  private readonly oldestApproved = this.gauge(
    "rolegate_oldest_approved_age_seconds",
    "Age of the oldest request approved but not yet applied (0 when none).",
  );
  private readonly failedReverts = this.gauge(
    "rolegate_failed_reverts",
    "Time-bound grants whose access rolegate could not take back: FAILED reverts, and reverts the inventory found did not take effect, until resolved.",
  );
  private readonly outboxDepth = this.gauge(
    "rolegate_notice_outbox_depth",
    "Notices waiting to be delivered to Slack.",
  );
  private readonly poolConnections = this.gauge(
    "rolegate_db_pool_connections",
    "Database pool connections, by state.",
    ["state"],
  );
  private readonly slackUp = this.gauge(
    "rolegate_slack_up",
    "1 when Slack's Web API answered rolegate's last check (auth.test, every minute), else 0.",
  );

  constructor(private readonly sources: MetricsSources) {
    collectDefaultMetrics({ register: this.registry, prefix: "rolegate_" });
  }

  decided(command: string, outcome: string): void {
    this.decisions.inc({ command, outcome });
  }

  vendorCall(vendor: string, operation: string, outcome: string, seconds: number): void {
    this.vendorCalls.inc({ vendor, operation, outcome });
    this.vendorSeconds.observe({ vendor, operation }, seconds);
  }

  noticeFailed(notice: string): void {
    this.noticeFailures.inc({ notice });
  }

  noticeDeferred(notice: string): void {
    this.noticeDeferrals.inc({ notice });
  }

  /** A sync ended: how long it took, and whether it read its target whole. */
  synced(report: Pick<SyncReport, "target" | "outcome" | "seconds">): void {
    this.syncSeconds.observe({ target: report.target }, report.seconds);
    if (report.outcome !== "complete") this.syncFailures.inc({ target: report.target, outcome: report.outcome });
  }

  syncFailed(target: string): void {
    this.syncFailures.inc({ target, outcome: "failed" });
  }

  /** The Prometheus text exposition, with the database-backed gauges read now. */
  async exposition(): Promise<string> {
    const [snapshot, inventory] = await Promise.all([this.sources.snapshot(), this.sources.inventory?.()]);
    if (inventory) this.setInventory(inventory);
    for (const status of STATUSES) this.requests.set({ status }, snapshot.byStatus[status] ?? 0);
    this.queueDepth.set(snapshot.dueApproved);
    this.oldestApproved.set(snapshot.oldestApprovedSeconds);
    this.failedReverts.set(snapshot.failedReverts + (inventory?.revertsNotTaken ?? 0));
    this.outboxDepth.set(snapshot.outboxDepth);
    const pool = this.sources.pool?.();
    if (pool)
      for (const state of ["total", "idle", "waiting"] as const) this.poolConnections.set({ state }, pool[state]);
    if (this.sources.slackUp) this.slackUp.set(this.sources.slackUp() ? 1 : 0);
    return this.registry.metrics();
  }

  private setInventory(inventory: InventorySnapshot): void {
    // Reset first: a role nobody holds any more must not keep its last count.
    this.inventoryMembers.reset();
    for (const m of inventory.members) this.inventoryMembers.set({ target: m.target, role: m.role }, m.count);
    this.outsideOpen.reset();
    for (const o of inventory.outsideOpen) this.outsideOpen.set({ target: o.target }, o.count);
    for (const a of inventory.syncAge) this.syncAge.set({ target: a.target }, a.seconds);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private gauge(name: string, help: string, labelNames: string[] = []): Gauge {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }
}
