// Every audit event as one JSON log line (component "audit"), for a log shipper: a request's
// events, the inventory's observed changes and an approver's Keep — each once, by one replica, in
// order, never history poured out at first start, and past a hole only once it cannot fill.
import { describe, expect, it } from "vitest";
import { AuditLog } from "../../src/audit/audit-log.js";
import { AuditLogTailStore } from "../../src/audit/store/audit-log-tail-store.js";
import { ledgerEventsAfter, requestEventsAfter } from "../../src/audit/store/audit-stream.js";
import { createLogger } from "../../src/logger.js";
import { inventoryOf } from "../support/inventory.js";
import { APPROVER, useWorld } from "../support/world.js";

const t = useWorld();

function writer(owner: string, lines: Record<string, unknown>[], holeWaitMs = 60_000) {
  const logger = createLogger({
    level: "info",
    write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  return new AuditLog({
    store: new AuditLogTailStore(t.database.prisma),
    trails: [
      {
        name: "audit_events" as const,
        eventsAfter: (after, limit) => requestEventsAfter(t.database.prisma, after, limit),
      },
      {
        name: "ledger_changes" as const,
        eventsAfter: (after, limit) => ledgerEventsAfter(t.database.prisma, after, limit),
      },
    ],
    logger: logger.child({ component: "audit" }),
    owner,
    holeWaitMs,
  });
}

const audit = (lines: Record<string, unknown>[]) =>
  lines.filter((l) => l.component === "audit" && l.msg === "audit event");

describe("the audit log", () => {
  it("writes each request event once, in order, with who did what to whom; history from before its first start is not poured out", async () => {
    await t.world.file(); // before the log's first start
    const lines: Record<string, unknown>[] = [];
    const log = writer("replica-a", lines);
    await log.runOnce();
    expect(audit(lines)).toEqual([]);

    const request = await t.world.fileApproved({
      members: [{ ref: "bob@example.com", email: "bob@example.com", vendorUserId: "usr_2", roleWhenFiled: "Member" }],
    });
    await t.world.executor().runOnce();
    await log.runOnce();
    await log.runOnce();

    expect(audit(lines).map((l) => l.event)).toEqual(["FILED", "APPROVED", "CLAIMED", "APPLIED"]);
    expect(audit(lines)[1]).toMatchObject({
      level: "info",
      source: "request",
      requestId: request.id,
      target: "dolfin-acme",
      members: [{ email: "bob@example.com", vendorUserId: "usr_2" }],
      roleBefore: "Member",
      roleAfter: "Admin",
      actor: APPROVER,
      reason: "on-call rotation",
    });
    expect(String(audit(lines)[0]!.id)).toMatch(/^request:\d+$/);
  });

  it("two replicas: each event is written by one of them, once", async () => {
    const a: Record<string, unknown>[] = [];
    const b: Record<string, unknown>[] = [];
    const [one, two] = [writer("replica-a", a), writer("replica-b", b)];
    await Promise.all([one.runOnce(), two.runOnce()]);
    await t.world.fileApproved();
    await Promise.all([one.runOnce(), two.runOnce(), one.runOnce(), two.runOnce()]);

    expect([...audit(a), ...audit(b)].map((l) => l.event)).toEqual(["FILED", "APPROVED"]);
  });

  it("stops at an id not yet visible, and goes past it only once it has waited longer than a transaction lasts", async () => {
    const lines: Record<string, unknown>[] = [];
    const log = writer("replica-a", lines, 200);
    await log.runOnce();
    await t.database.prisma.$queryRaw`SELECT nextval('audit_events_id_seq')`; // a rolled-back insert's id
    await t.world.file();

    await log.runOnce();
    expect(audit(lines)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 250));
    await log.runOnce();
    expect(audit(lines).map((l) => l.event)).toEqual(["FILED"]);
  });

  it("writes the inventory's observed changes, and an approver's Keep as it commits", async () => {
    const lines: Record<string, unknown>[] = [];
    const log = writer("replica-a", lines);
    const logger = createLogger({
      level: "info",
      write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
    });
    const inventory = inventoryOf(t.world, t.database, { logger });
    await inventory.syncNow("dolfin-acme");
    await log.runOnce();
    t.world.clock.advance(3_600_000);
    t.world.dolfin.addMember("usr_1", "ada@example.com", "owner");
    await inventory.syncNow("dolfin-acme");
    const [change] = await t.database.prisma.outsideChange.findMany();
    await inventory.decisions.keep(change!.id, APPROVER, "covering for cy");
    await log.runOnce();

    expect(audit(lines).map((l) => [l.source, l.event, l.roleBefore, l.roleAfter, l.actor])).toEqual([
      ["decision", "KEPT", "Member", "Owner", APPROVER],
      ["ledger", "ROLE_CHANGED", "Member", "Owner", "vendor"],
    ]);
  });
});
