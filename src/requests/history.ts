// What people read of requests after the fact — /role history, /role show, App Home — as the
// domain sees it: which requests a query narrows to, a page's cursor, the audit trail's rows,
// and the reads themselves. The store answers them (store/request-history.ts); Slack shows them.
import type { AuditEventType, RoleRequest } from "./types.js";
import type { Viewer } from "./visibility.js";

/** What `/role history` narrows to; members are matched by email or vendor id. */
export type HistoryQuery =
  | { kind: "all" }
  | { kind: "requester"; userId: string }
  | { kind: "pending" }
  /** Pending, filed by someone other than this person: what waits on them, as an approver. */
  | { kind: "awaiting"; userId: string }
  | { kind: "target"; target: string }
  | { kind: "member"; email?: string; vendorUserId?: string }
  /** This person's requests still open: waiting for approval, or approved and not yet applied. */
  | { kind: "open"; userId: string }
  /** This person's applied time-bound grants whose access has not been taken back yet. */
  | { kind: "running_grants"; userId: string };

/** Where a page of history ended: the next page starts below this row. */
export interface HistoryCursor {
  createdAt: Date;
  id: string;
}

export interface AuditEntry {
  type: AuditEventType;
  actor: string;
  details: Record<string, unknown>;
  at: Date;
}

/** Who a history read is for: a person sees their own requests and those they approve. */
export type HistoryReader = { viewer: Viewer; allTargets: readonly string[] } | "anyone";

export interface RequestHistory {
  /**
   * The newest requests first, of those `visibleTo` may see. "anyone": no such limit, for tools
   * and tests, never for a person's command.
   */
  list(query: HistoryQuery, limit: number, visibleTo: HistoryReader, before?: HistoryCursor): Promise<RoleRequest[]>;
  /** A request's audit trail, oldest first. */
  auditTrail(id: string): Promise<AuditEntry[]>;
  /** The reverts of a time-bound grant, by member position. */
  revertsOf(grantId: string): Promise<RoleRequest[]>;
}
