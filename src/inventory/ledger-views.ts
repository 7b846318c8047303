// What people are shown of the ledger: a member as /role who lists them, and how a target's
// syncs are going. Read by the store, shaped here, drawn by the Slack layer.
import type { RoleRef } from "../vendors/roles.js";
import type { LedgerReason } from "./reconcile.js";

/** A member as /role who lists them. */
export interface RosterRow {
  vendorUserId: string;
  email: string | null;
  role: RoleRef;
  reason: LedgerReason;
  requestId: string | null;
  grantEndsAt: Date | null;
  /** When the role was last seen to change. */
  since: Date;
  /** The change outside rolegate that explains the role, if one does: OPEN, KEPT … */
  outsideStatus: string | null;
  keptBy: string | null;
  /** How many hold this role in all. */
  roleTotal: number;
}

export interface SyncStatus {
  syncedAt: Date | null;
  lastAttemptAt: Date | null;
  lastOutcome: string | null;
  lastProblem: string | null;
  syncing: boolean;
  openChanges: number;
}
