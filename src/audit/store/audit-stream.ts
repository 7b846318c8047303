// Every audit event in a time range, oldest first, read in keyset pages (never OFFSET, never all
// at once) from its three sources — the requests' audit trail, the ledger's observed changes, and
// approvers' decisions on changes made outside rolegate — and merged by time. Memory holds one
// page of each source, whatever the range holds: a million events stream as flat as a thousand.
import { Prisma, type PrismaClient } from "../../db/generated/client.js";
import type { AuditRecord } from "../audit-record.js";
import type { ExportQuery } from "../export-query.js";

const PAGE = 1_000;

interface Cursor {
  at: Date;
  id: bigint;
}

const START: Cursor = { at: new Date(0), id: -1n };

/** The records of `query`, oldest first; ties in time are broken by source, then id. */
export async function* auditRecords(
  prisma: PrismaClient,
  query: Pick<ExportQuery, "since" | "until" | "target">,
): AsyncGenerator<AuditRecord> {
  const sources = [requestEvents(prisma, query), ledgerEvents(prisma, query), decisionEvents(prisma, query)];
  const heads = await Promise.all(sources.map((s) => s.next()));
  for (;;) {
    let pick = -1;
    for (const [i, head] of heads.entries()) {
      if (head.done) continue;
      const best = pick === -1 ? undefined : heads[pick];
      if (!best || best.done || head.value.at < best.value.at) pick = i;
    }
    if (pick === -1) return;
    const head = heads[pick]!;
    if (head.done) return;
    yield head.value;
    heads[pick] = await sources[pick]!.next();
  }
}

/** Pages of one source by its keyset, until a short page. */
async function* paged<Row extends { cursor_at: Date; cursor_id: bigint }>(
  read: (after: Cursor) => Promise<Row[]>,
  toRecords: (rows: Row[]) => Promise<AuditRecord[]>,
): AsyncGenerator<AuditRecord> {
  let after = START;
  for (;;) {
    const rows = await read(after);
    yield* await toRecords(rows);
    if (rows.length < PAGE) return;
    const last = rows.at(-1)!;
    after = { at: last.cursor_at, id: last.cursor_id };
  }
}

interface RequestEventRow {
  cursor_at: Date;
  cursor_id: bigint;
  type: string;
  actor: string;
  details: Record<string, unknown>;
  request_id: string;
  target: string;
  role_name: string;
  duration_seconds: number | null;
  reason: string;
}

function requestEvents(prisma: PrismaClient, q: Pick<ExportQuery, "since" | "until" | "target">) {
  return paged<RequestEventRow>(
    (after) => prisma.$queryRaw<RequestEventRow[]>`
      SELECT ${REQUEST_EVENT_COLUMNS}
      FROM audit_events e JOIN role_requests r ON r.id = e.request_id
      WHERE e.created_at >= ${q.since} AND e.created_at < ${q.until}
        AND (e.created_at, e.id) > (${after.at}, ${after.id})
        AND (${q.target}::text IS NULL OR r.target = ${q.target} OR ${q.target} = ANY(r.extra_targets))
      ORDER BY e.created_at, e.id LIMIT ${PAGE}`,
    (rows) => requestRecords(prisma, rows),
  );
}

/** Request events with ids after `afterId`, in id order (the audit log's tail). */
export async function requestEventsAfter(
  prisma: PrismaClient,
  afterId: bigint,
  limit: number,
): Promise<{ id: bigint; record: AuditRecord }[]> {
  const rows = await prisma.$queryRaw<RequestEventRow[]>`
    SELECT ${REQUEST_EVENT_COLUMNS}
    FROM audit_events e JOIN role_requests r ON r.id = e.request_id
    WHERE e.id > ${afterId} ORDER BY e.id LIMIT ${limit}`;
  const records = await requestRecords(prisma, rows);
  return rows.map((row, i) => ({ id: row.cursor_id, record: records[i]! }));
}

const REQUEST_EVENT_COLUMNS = Prisma.sql`e.created_at AS cursor_at, e.id AS cursor_id, e.type::text AS type, e.actor,
  e.details, r.id AS request_id, r.target, r.requested_role_name AS role_name, r.duration_seconds, r.reason`;

/** Request event rows as records, with each request's members read in one query. */
async function requestRecords(prisma: PrismaClient, rows: RequestEventRow[]): Promise<AuditRecord[]> {
  const members = await membersOf(prisma, [...new Set(rows.map((r) => r.request_id))]);
  return rows.map((r) => {
    const of = members.get(r.request_id) ?? [];
    const before = [...new Set(of.map((m) => m.previous_role ?? m.role_when_filed).filter((x) => x !== null))];
    const said = stringIn(r.details, "reason") ?? stringIn(r.details, "note");
    return {
      id: `request:${r.cursor_id}`,
      at: r.cursor_at,
      source: "request" as const,
      event: r.type,
      requestId: r.request_id,
      target: r.target,
      members: of.map((m) => ({ email: m.email, vendorUserId: m.vendor_user_id })),
      roleBefore: before.length > 0 ? before.join("; ") : null,
      roleAfter: r.role_name,
      durationSeconds: r.duration_seconds,
      actor: r.actor,
      actorEmail: null,
      reason: said ?? r.reason,
      details: r.details,
    };
  });
}

interface MemberRow {
  request_id: string;
  email: string | null;
  vendor_user_id: string | null;
  role_when_filed: string | null;
  previous_role: string | null;
}

async function membersOf(prisma: PrismaClient, ids: string[]): Promise<Map<string, MemberRow[]>> {
  const byRequest = new Map<string, MemberRow[]>();
  if (ids.length === 0) return byRequest;
  const rows = await prisma.$queryRaw<MemberRow[]>`
    SELECT request_id, email, vendor_user_id, role_when_filed, previous_role FROM request_members
    WHERE request_id = ANY(${ids}) ORDER BY request_id, position`;
  for (const row of rows) byRequest.set(row.request_id, [...(byRequest.get(row.request_id) ?? []), row]);
  return byRequest;
}

interface LedgerRow {
  cursor_at: Date;
  cursor_id: bigint;
  kind: string;
  target: string;
  vendor_user_id: string;
  email: string | null;
  from_role_name: string | null;
  to_role_name: string | null;
  reason: string;
  request_id: string | null;
  not_before: Date | null;
}

function ledgerEvents(prisma: PrismaClient, q: Pick<ExportQuery, "since" | "until" | "target">) {
  return paged<LedgerRow>(
    (after) => prisma.$queryRaw<LedgerRow[]>`
      SELECT ${LEDGER_COLUMNS} FROM ledger_changes
      WHERE observed_at >= ${q.since} AND observed_at < ${q.until} AND (observed_at, id) > (${after.at}, ${after.id})
        AND (${q.target}::text IS NULL OR target = ${q.target})
      ORDER BY observed_at, id LIMIT ${PAGE}`,
    async (rows) => rows.map(ledgerRecord),
  );
}

/** Observed changes with ids after `afterId`, in id order (the audit log's tail). */
export async function ledgerEventsAfter(
  prisma: PrismaClient,
  afterId: bigint,
  limit: number,
): Promise<{ id: bigint; record: AuditRecord }[]> {
  const rows = await prisma.$queryRaw<LedgerRow[]>`
    SELECT ${LEDGER_COLUMNS} FROM ledger_changes WHERE id > ${afterId} ORDER BY id LIMIT ${limit}`;
  return rows.map((row) => ({ id: row.cursor_id, record: ledgerRecord(row) }));
}

const LEDGER_COLUMNS = Prisma.sql`observed_at AS cursor_at, id AS cursor_id, kind::text AS kind, target, vendor_user_id,
  email, from_role_name, to_role_name, reason::text AS reason, request_id, not_before`;

function ledgerRecord(r: LedgerRow): AuditRecord {
  return {
    id: `ledger:${r.cursor_id}`,
    at: r.cursor_at,
    source: "ledger",
    event: r.kind,
    requestId: r.request_id,
    target: r.target,
    members: [{ email: r.email, vendorUserId: r.vendor_user_id }],
    roleBefore: r.from_role_name,
    roleAfter: r.to_role_name,
    durationSeconds: null,
    actor: r.reason === "REQUEST" ? "rolegate" : "vendor",
    actorEmail: null,
    reason:
      r.kind === "STILL_HELD"
        ? "rolegate's revert did not take effect"
        : r.reason === "REQUEST"
          ? "set by a rolegate request"
          : r.reason === "OUTSIDE"
            ? "changed outside rolegate"
            : "held before rolegate",
    details: { why: r.reason, ...(r.not_before ? { notBefore: r.not_before.toISOString() } : {}) },
  };
}

interface DecisionRow {
  cursor_at: Date;
  cursor_id: bigint;
  status: string;
  target: string;
  vendor_user_id: string;
  email: string | null;
  from_role_name: string | null;
  to_role_name: string | null;
  decided_by: string;
  reason: string | null;
  revert_request_id: string | null;
}

function decisionEvents(prisma: PrismaClient, q: Pick<ExportQuery, "since" | "until" | "target">) {
  return paged<DecisionRow>(
    (after) => prisma.$queryRaw<DecisionRow[]>`
      SELECT decided_at AS cursor_at, id AS cursor_id, status::text AS status, target, vendor_user_id, email,
        from_role_name, to_role_name, decided_by, reason, revert_request_id
      FROM outside_changes
      WHERE status IN ('KEPT', 'REVERTING') AND decided_at >= ${q.since} AND decided_at < ${q.until}
        AND (decided_at, id) > (${after.at}, ${after.id})
        AND (${q.target}::text IS NULL OR target = ${q.target})
      ORDER BY decided_at, id LIMIT ${PAGE}`,
    async (rows) =>
      rows.map((r) => ({
        id: `decision:${r.cursor_id}`,
        at: r.cursor_at,
        source: "decision" as const,
        event: r.status === "KEPT" ? "KEPT" : "REVERT_FILED",
        requestId: r.revert_request_id,
        target: r.target,
        members: [{ email: r.email, vendorUserId: r.vendor_user_id }],
        roleBefore: r.from_role_name,
        roleAfter: r.to_role_name,
        durationSeconds: null,
        actor: r.decided_by,
        actorEmail: null,
        reason: r.reason,
        details: { outsideChange: r.cursor_id.toString() },
      })),
  );
}

function stringIn(details: Record<string, unknown>, key: string): string | null {
  const value = details[key];
  return typeof value === "string" && value !== "" ? value : null;
}
