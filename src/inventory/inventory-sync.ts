// One sync of one target: list its members under the target's lease, compare them with the
// ledger and with what rolegate itself applied, and commit the result while the lease is ours.
// A listing that stops early still records what it read (those members were seen, and their
// changes are true) but removes nobody; the next sync comes sooner and reads it all again.
import { syncIntervalOf, type RolegateConfig, type Target } from "../config/file.js";
import type { Clock } from "../clock.js";
import type { Logger } from "../logger.js";
import type { ApprovalPolicy } from "../requests/approval-policy.js";
import type { ConnectorRegistry } from "../vendors/connector.js";
import type { RoleRef, TeamRole } from "../vendors/roles.js";
import { readListing } from "./read-listing.js";
import { reconcile } from "./reconcile.js";
import type { ClaimedSync, LedgerStore } from "./store/ledger-store.js";

/** A partial or failed sync is tried again this soon (or at the target's interval, if sooner). */
const RETRY_AFTER_PROBLEM_MS = 15 * 60_000;

export interface SyncReport {
  target: string;
  outcome: "complete" | "partial" | "lease_lost";
  members: number;
  changes: number;
  /** Ids of the changes outside rolegate it raised. */
  alerts: bigint[];
  problems: string[];
  calls: number;
  seconds: number;
  requestedBy: string | null;
}

export interface InventorySyncDeps {
  store: LedgerStore;
  connectors: ConnectorRegistry;
  config: Pick<RolegateConfig, "targets" | "inventory">;
  policy: Pick<ApprovalPolicy, "requiredApprovals">;
  clock: Clock;
  logger: Logger;
  leaseMs: number;
  /** Called between pages: the sync waits there while approved changes are being applied. */
  betweenPages?: () => Promise<void>;
}

export class InventorySync {
  constructor(private readonly deps: InventorySyncDeps) {}

  /** Syncs a claimed target; `stop` aborts it (shutdown), and then nothing is written. */
  async run(claim: ClaimedSync, stop: AbortSignal): Promise<SyncReport> {
    const { store, clock, leaseMs } = this.deps;
    const target = this.deps.config.targets.get(claim.target)!;
    const started = performance.now();
    const startedAt = clock();
    const lease = new AbortController();
    const heartbeat = setInterval(
      () => {
        store.renewLease(claim, leaseMs).then(
          (held) => held || lease.abort(new Error("the inventory lease was lost")),
          () => undefined, // the database did not answer: the commit checks the lease anyway
        );
      },
      Math.max(50, Math.floor(leaseMs / 3)),
    );
    const signal = AbortSignal.any([stop, lease.signal]);
    try {
      const ledger = await store.ledgerOf(claim.target);
      const known = [...ledger.values()].filter((r) => !r.removedAt).length;
      const listing = await readListing(this.deps.connectors.forTarget(claim.target), {
        signal,
        known,
        ...(this.deps.betweenPages ? { betweenPages: this.deps.betweenPages } : {}),
      });
      const now = clock();
      const [applied, inFlight, alertedReverts] = await Promise.all([
        store.appliedChanges(claim.target),
        store.inFlight(claim.target, now),
        store.alertedReverts(claim.target),
      ]);
      const plan = reconcile({
        now,
        startedAt,
        baseline: claim.baseline,
        ledger,
        listing,
        applied,
        inFlight,
        alertedReverts,
        alertsOn: alertPolicyOf(target, this.deps.policy),
      });
      const every = syncIntervalOf(this.deps.config, target) ?? RETRY_AFTER_PROBLEM_MS;
      const seconds = (performance.now() - started) / 1000;
      const outcome = listing.complete ? "complete" : "partial";
      const committed = await store.commit(
        claim,
        plan,
        {
          outcome,
          problem: listing.problems.length > 0 ? listing.problems.join("; ") : null,
          startedAt,
          durationMs: seconds * 1000,
          calls: listing.calls,
          nextInMs: listing.complete ? every : Math.min(every, RETRY_AFTER_PROBLEM_MS),
        },
        now,
      );
      return {
        target: claim.target,
        outcome: committed ? outcome : "lease_lost",
        members: listing.members.size,
        changes: committed?.changes ?? 0,
        alerts: committed?.alerts ?? [],
        problems: listing.problems,
        calls: listing.calls,
        seconds,
        requestedBy: claim.requestedBy,
      };
    } catch (error) {
      if (lease.signal.aborted && !stop.aborted) {
        return {
          target: claim.target,
          outcome: "lease_lost",
          members: 0,
          changes: 0,
          alerts: [],
          problems: [],
          calls: 0,
          seconds: (performance.now() - started) / 1000,
          requestedBy: claim.requestedBy,
        };
      }
      throw error;
    } finally {
      clearInterval(heartbeat);
    }
  }
}

/**
 * Whether a change outside rolegate alerts, by the target's alertOn: "all"; the roles listed;
 * or, by default, a role (or a Sentry team role) that needs more approvals than the target's
 * default. Leaving the organization alerts only under "all": it takes access away.
 */
export function alertPolicyOf(
  target: Target,
  policy: Pick<ApprovalPolicy, "requiredApprovals">,
): (from: RoleRef | null, to: RoleRef | null, gained: TeamRole[]) => boolean {
  const alertOn = target.alertOn;
  if (alertOn === "all") return () => true;
  if (alertOn)
    return (_from, to) =>
      to !== null && (alertOn.includes(to.id.toLowerCase()) || alertOn.includes(to.name.toLowerCase()));
  const base = target.approvals.default ?? 1;
  return (_from, to, gained) =>
    to !== null && policy.requiredApprovals([target], to, gained.length > 0 ? gained : null) > base;
}
