// One audit event as rolegate hands it to an auditor: a request's event, a change the inventory
// observed at a vendor, or an approver's decision on a change made outside rolegate — each naming
// the request, the target, the members (email and vendor id), the roles before and after, the
// duration, who acted, what they did, when, and the reason given. Written as one JSON line or
// one CSV row; CSV cells are quoted, and a cell a spreadsheet would run as a formula is defused.

export interface AuditRecord {
  /** Unique across the trail and stable: "request:812", "ledger:40", "decision:3". */
  id: string;
  at: Date;
  /** request: the request's audit trail; ledger: observed at the vendor; decision: Keep or Revert. */
  source: "request" | "ledger" | "decision";
  /** FILED, APPROVED … for a request; ROLE_CHANGED, JOINED … for the ledger; KEPT, REVERT_FILED. */
  event: string;
  requestId: string | null;
  target: string;
  members: { email: string | null; vendorUserId: string | null }[];
  roleBefore: string | null;
  roleAfter: string | null;
  durationSeconds: number | null;
  /** A Slack user id, or "rolegate" (the system), or "vendor" (a change seen at the vendor). */
  actor: string;
  actorEmail: string | null;
  reason: string | null;
  details: Record<string, unknown>;
}

export const CSV_HEADER = [
  "id",
  "at",
  "source",
  "event",
  "request_id",
  "target",
  "members",
  "role_before",
  "role_after",
  "duration_seconds",
  "actor",
  "actor_email",
  "reason",
  "details",
].join(",");

export function jsonLine(record: AuditRecord): string {
  return `${JSON.stringify({ ...record, at: record.at.toISOString() })}\n`;
}

export function csvRow(record: AuditRecord): string {
  const members = record.members.map((m) => `${m.email ?? ""} (${m.vendorUserId ?? "?"})`).join("; ");
  return `${[
    record.id,
    record.at.toISOString(),
    record.source,
    record.event,
    record.requestId ?? "",
    record.target,
    members,
    record.roleBefore ?? "",
    record.roleAfter ?? "",
    record.durationSeconds === null ? "" : String(record.durationSeconds),
    record.actor,
    record.actorEmail ?? "",
    record.reason ?? "",
    Object.keys(record.details).length > 0 ? JSON.stringify(record.details) : "",
  ]
    .map(csvCell)
    .join(",")}\n`;
}

/** RFC 4180 quoting; a leading = + - @ (a formula in a spreadsheet) is prefixed with a quote. */
function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
