// GET /audit/events: the audit trail for a compliance team, streamed — JSON lines or CSV, oldest
// first — for `Authorization: Bearer <ROLEGATE_AUDIT_TOKEN>` only. The token is compared in
// constant time (as digests, so its length is not told either); anything else is a bare 401.
// A query that cannot be served is a 400 with a sentence saying why; nothing is ever changed.
import { createHash, timingSafeEqual } from "node:crypto";
import { once } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "../logger.js";
import { CSV_HEADER, csvRow, jsonLine, type AuditRecord } from "./audit-record.js";
import { parseExportQuery, type ExportQuery } from "./export-query.js";

/** Bytes gathered before one write: fewer syscalls, and a bounded buffer. */
const CHUNK = 64 * 1024;

export interface AuditEndpointDeps {
  /** Every event of a query, oldest first (store/audit-stream.ts). */
  records: (query: ExportQuery) => AsyncIterable<AuditRecord>;
  token: string;
  targets: () => ReadonlySet<string>;
  now: () => Date;
  /** The email on a Slack profile; a lookup that fails leaves the cell empty. */
  emailOf: (userId: string) => Promise<string | null>;
  logger: Logger;
}

const digest = (text: string) => createHash("sha256").update(text).digest();

export function auditEventsRoute(deps: AuditEndpointDeps) {
  const expected = digest(`Bearer ${deps.token}`);
  return {
    path: "/audit/events",
    method: ["GET"],
    handler: (req: IncomingMessage, res: ServerResponse) => {
      void serve(req, res, deps, expected);
    },
  };
}

async function serve(req: IncomingMessage, res: ServerResponse, deps: AuditEndpointDeps, expected: Buffer) {
  if (!timingSafeEqual(digest(req.headers.authorization ?? ""), expected)) {
    res.writeHead(401, { "www-authenticate": "Bearer" });
    res.end();
    return;
  }
  const url = new URL(req.url ?? "/", "http://localhost");
  const query = parseExportQuery(url.searchParams, deps.targets(), deps.now());
  if (!query.ok) {
    res.writeHead(400, { "content-type": "text/plain; charset=utf-8" });
    res.end(`${query.refusal.message}\n`);
    return;
  }
  const { format } = query.value;
  res.writeHead(200, {
    "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
    "cache-control": "no-store",
  });
  const emails = new Map<string, Promise<string | null>>();
  const emailOf = (actor: string) => {
    if (!/^[UW][A-Z0-9]+$/.test(actor)) return Promise.resolve(null);
    let email = emails.get(actor);
    if (!email) emails.set(actor, (email = deps.emailOf(actor).catch(() => null)));
    return email;
  };
  let buffer = format === "csv" ? `${CSV_HEADER}\n` : "";
  let count = 0;
  try {
    for await (const record of deps.records(query.value)) {
      if (res.destroyed) return; // the client went away: stop reading
      const withEmail: AuditRecord = { ...record, actorEmail: await emailOf(record.actor) };
      buffer += format === "csv" ? csvRow(withEmail) : jsonLine(withEmail);
      count++;
      if (buffer.length >= CHUNK) {
        const more = res.write(buffer);
        buffer = "";
        if (!more) await once(res, "drain");
      }
    }
    res.end(buffer);
    deps.logger.info("audit events exported", { events: count, format, target: query.value.target });
  } catch (error) {
    // The status is sent: a cut stream is the only way left to say it failed.
    deps.logger.error("audit export failed midway", { events: count, error });
    res.destroy(error instanceof Error ? error : new Error(String(error)));
  }
}
