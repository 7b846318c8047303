// Every audit event — a request's, and each change the inventory observed — also written as one
// log line (component "audit"), so a log shipper can route the trail to a SIEM without polling
// the export. (Approvers' Keep and Revert are written by their decision, once it commits.) One replica writes them (a
// lease), in id order, each once; a crash between writing and recording how far it got may write
// a few twice — each line carries the event's id, to drop repeats by.
//
// Ids are handed out when a transaction inserts, not when it commits: id 101 may become visible
// after 102. So the writer stops at a hole and waits for it, and goes past it only once it has
// waited longer than any transaction may last (a hole that never fills is a rolled-back insert).
import type { Logger } from "../logger.js";
import { PollingLoop } from "../polling-loop.js";
import type { AuditRecord } from "./audit-record.js";

/** Longer than a transaction may run (15 s), with room: a hole older than this stays a hole. */
const HOLE_WAIT_MS = 45_000;
const BATCH = 500;

/** One append-only trail: its events after an id, in id order (store/audit-stream.ts). */
export interface Trail<Name extends string> {
  name: Name;
  eventsAfter: (afterId: bigint, limit: number) => Promise<{ id: bigint; record: AuditRecord }[]>;
}

export interface AuditLogDeps<Name extends string> {
  store: {
    claim(name: Name, owner: string, leaseMs: number): Promise<bigint | null>;
    advance(name: Name, owner: string, lastId: bigint): Promise<void>;
  };
  trails: Trail<Name>[];
  /** Where the lines go: the process's logger, as component "audit". */
  logger: Logger;
  owner: string;
  pollMs?: number;
  holeWaitMs?: number;
}

export class AuditLog<Name extends string> {
  private readonly loop: PollingLoop;
  /** Per trail: the id a hole follows, and when this writer first saw it. */
  private readonly holes = new Map<Name, { after: bigint; since: number }>();

  constructor(private readonly deps: AuditLogDeps<Name>) {
    this.loop = new PollingLoop(() => this.runOnce(), deps.pollMs ?? 1_000, deps.logger, "audit log tick");
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Writes the events committed since the last run; true when a trail had a full batch. */
  async runOnce(): Promise<boolean> {
    let more = false;
    for (const trail of this.deps.trails) more = (await this.follow(trail)) || more;
    return more;
  }

  private async follow(trail: Trail<Name>): Promise<boolean> {
    const { store, owner } = this.deps;
    const from = await store.claim(trail.name, owner, 30_000);
    if (from === null) return false; // another replica writes the log
    const events = await trail.eventsAfter(from, BATCH);
    let last = from;
    for (const { id, record } of events) {
      if (id !== last + 1n && !this.holeWaitedFor(trail.name, last)) break;
      this.holes.delete(trail.name);
      this.deps.logger.info("audit event", auditFields(record));
      last = id;
    }
    if (last !== from) await store.advance(trail.name, owner, last);
    return last !== from && events.length === BATCH;
  }

  /** Whether the hole after `last` has been waited for long enough to go past it. */
  private holeWaitedFor(name: Name, last: bigint): boolean {
    const now = performance.now();
    let hole = this.holes.get(name);
    if (hole?.after !== last) this.holes.set(name, (hole = { after: last, since: now }));
    return now - hole.since >= (this.deps.holeWaitMs ?? HOLE_WAIT_MS);
  }
}

/** The record as log fields, named as in the export's JSON lines. */
export function auditFields(record: AuditRecord): Record<string, unknown> {
  return { ...record, at: record.at.toISOString() };
}
