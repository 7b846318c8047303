// The audit trail's three sources merged by time: a request's events, the changes the inventory
// observed at the vendor, and an approver's decision on a change made outside rolegate.
import { describe, expect, it } from "vitest";
import { auditRecords } from "../../src/audit/store/audit-stream.js";
import { inventoryOf } from "../support/inventory.js";
import { APPROVER, useWorld } from "../support/world.js";

const t = useWorld();
const HOUR = 3_600_000;

async function all(target: string | null = null) {
  const records = [];
  const since = new Date(t.world.clock.now().getTime() - 10 * HOUR);
  const until = new Date(t.world.clock.now().getTime() + HOUR);
  for await (const record of auditRecords(t.database.prisma, { since, until, target })) records.push(record);
  return records;
}

describe("the audit stream", () => {
  it("merges request events, observed changes and decisions in time order, each naming the member and roles", async () => {
    const inventory = inventoryOf(t.world, t.database);
    await inventory.syncNow("dolfin-acme"); // the baseline: not a change
    t.world.clock.advance(HOUR);
    const request = await t.world.fileApproved();
    await t.world.executor().runOnce();
    t.world.clock.advance(HOUR);
    t.world.dolfin.addMember("usr_2", "bob@example.com", "owner"); // outside rolegate
    await inventory.syncNow("dolfin-acme");
    const [change] = await t.database.prisma.outsideChange.findMany();
    t.world.clock.advance(HOUR);
    await inventory.decisions.keep(change!.id, APPROVER, "bob runs the migration");

    const records = await all();

    expect(records.map((r) => [r.source, r.event, r.members[0]?.email])).toEqual([
      ["request", "FILED", "ada@example.com"],
      ["request", "APPROVED", "ada@example.com"],
      ["request", "CLAIMED", "ada@example.com"],
      ["request", "APPLIED", "ada@example.com"],
      ["ledger", "ROLE_CHANGED", "ada@example.com"],
      ["ledger", "ROLE_CHANGED", "bob@example.com"],
      ["decision", "KEPT", "bob@example.com"],
    ]);
    expect(records[4]).toMatchObject({
      requestId: request.id,
      roleBefore: "Member",
      roleAfter: "Admin",
      actor: "rolegate",
    });
    expect(records[5]).toMatchObject({
      roleBefore: "Member",
      roleAfter: "Owner",
      actor: "vendor",
      reason: "changed outside rolegate",
    });
    expect(records[6]).toMatchObject({ actor: APPROVER, reason: "bob runs the migration", target: "dolfin-acme" });
    const times = records.map((r) => r.at.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(await all("devin-a")).toEqual([]);
  });

  it("pages through more events than a page holds, many in the same millisecond: none lost, none twice", async () => {
    const request = await t.world.file();
    const at = t.world.clock.now();
    // 2,500 more events over 50 milliseconds: keyset pages of 1,000 must break ties by id.
    await t.database.prisma.$executeRaw`
      INSERT INTO audit_events (request_id, type, actor, details, created_at)
      SELECT ${request.id}, 'ROLES_READ', 'rolegate', '{}', ${at}::timestamptz + (g % 50) * interval '1 millisecond'
      FROM generate_series(1, 2500) AS g`;

    const records = await all();

    expect(records).toHaveLength(2_501);
    expect(new Set(records.map((r) => r.id)).size).toBe(2_501);
    const times = records.map((r) => r.at.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });
});
