// The inventory over a real database: the first sync sets the baseline, a change made at the
// vendor is found once and explained (a rolegate request) or alerted (outside rolegate), a
// revert that did not take effect is 🚨, and nothing a vendor lists wrongly removes anyone.
import { describe, expect, it } from "vitest";
import { readInventorySnapshot } from "../../src/inventory/store/inventory-snapshot.js";
import { VendorError } from "../../src/vendors/errors.js";
import { inventoryOf } from "../support/inventory.js";
import { useWorld } from "../support/world.js";

const t = useWorld();
const HOUR = 3_600_000;
const ADA = { ref: "ada@example.com", email: "ada@example.com", vendorUserId: "usr_1", roleWhenFiled: "Member" };

const ledger = () =>
  t.database.prisma.ledgerMember.findMany({ where: { target: "dolfin-acme" }, orderBy: { vendorUserId: "asc" } });
const changes = () =>
  t.database.prisma.ledgerChange.findMany({ where: { target: "dolfin-acme" }, orderBy: { id: "asc" } });
const alerts = () =>
  t.database.prisma.outsideChange.findMany({ where: { target: "dolfin-acme" }, orderBy: { id: "asc" } });
const schedule = () => t.database.prisma.inventoryTarget.findUniqueOrThrow({ where: { target: "dolfin-acme" } });

async function baseline() {
  const inventory = inventoryOf(t.world, t.database);
  expect(await inventory.syncNow("dolfin-acme")).toMatchObject({ outcome: "complete", members: 3, changes: 0 });
  t.world.clock.advance(HOUR);
  return inventory;
}

describe("the first sync", () => {
  it("records every member as held before rolegate, alerts on nothing, and is the baseline", async () => {
    await baseline();

    expect((await ledger()).map((m) => [m.vendorUserId, m.email, m.roleName, m.reason])).toEqual([
      ["usr_1", "ada@example.com", "Member", "BEFORE_ROLEGATE"],
      ["usr_2", "bob@example.com", "Member", "BEFORE_ROLEGATE"],
      ["usr_3", "cy@example.com", "Owner", "BEFORE_ROLEGATE"],
    ]);
    expect(await changes()).toEqual([]);
    expect(await alerts()).toEqual([]);
    expect(await schedule()).toMatchObject({ lastOutcome: "complete", lastProblem: null, leaseOwner: null });
    expect((await schedule()).baselineAt).not.toBeNull();
  });
});

describe("a change made at the vendor", () => {
  it("into a role that needs more approvals than default is alerted once, as changed outside rolegate", async () => {
    const inventory = await baseline();
    t.world.dolfin.addMember("usr_1", "ada@example.com", "owner"); // someone made her Owner in Dolfin

    expect(await inventory.syncNow("dolfin-acme")).toMatchObject({ outcome: "complete", changes: 1 });
    t.world.clock.advance(HOUR);
    await inventory.syncNow("dolfin-acme");

    expect(await alerts()).toMatchObject([
      { vendorUserId: "usr_1", email: "ada@example.com", fromRoleName: "Member", toRoleName: "Owner", status: "OPEN" },
    ]);
    const [alert] = await alerts();
    expect(await changes()).toMatchObject([
      {
        kind: "ROLE_CHANGED",
        reason: "OUTSIDE",
        fromRoleName: "Member",
        toRoleName: "Owner",
        outsideChangeId: alert!.id,
      },
    ]);
    expect((await ledger())[0]).toMatchObject({ roleName: "Owner", reason: "OUTSIDE", outsideChangeId: alert!.id });
  });

  it("into a role that needs no more than default is recorded, not alerted", async () => {
    const inventory = await baseline();
    t.world.dolfin.addMember("usr_3", "cy@example.com", "member"); // an Owner stepped down in Dolfin

    await inventory.syncNow("dolfin-acme");

    expect(await changes()).toMatchObject([{ kind: "ROLE_CHANGED", reason: "OUTSIDE", toRoleName: "Member" }]);
    expect(await alerts()).toEqual([]);
  });

  it("a newcomer who arrives as Owner is alerted; one who arrives as Member is only recorded", async () => {
    const inventory = await baseline();
    t.world.dolfin.addMember("usr_8", "eve@example.com", "owner");
    t.world.dolfin.addMember("usr_9", "fay@example.com", "member");

    await inventory.syncNow("dolfin-acme");

    expect((await changes()).map((c) => [c.vendorUserId, c.kind, c.toRoleName])).toEqual([
      ["usr_8", "JOINED", "Owner"],
      ["usr_9", "JOINED", "Member"],
    ]);
    expect((await alerts()).map((a) => a.vendorUserId)).toEqual(["usr_8"]);
  });
});

describe("a change rolegate made", () => {
  it("is explained by its request, with the grant's end, and alerts on nothing", async () => {
    const inventory = await baseline();
    const grant = await t.world.fileApproved({
      requestedRole: { id: "owner", name: "Owner" },
      durationSeconds: 7_200,
      members: [ADA],
    });
    await t.world.executor().runOnce();
    t.world.clock.advance(60_000);

    await inventory.syncNow("dolfin-acme");

    expect(await alerts()).toEqual([]);
    expect(await changes()).toMatchObject([
      { kind: "ROLE_CHANGED", reason: "REQUEST", requestId: grant.id, toRoleName: "Owner" },
    ]);
    const ada = (await ledger())[0]!;
    expect(ada).toMatchObject({ roleName: "Owner", reason: "REQUEST", requestId: grant.id });
    expect(ada.grantEndsAt?.getTime()).toBe((await t.world.repo.find(grant.id))!.grantEndsAt!.getTime());
  });

  it("a member whose request is being applied is left for the next sync to judge", async () => {
    const inventory = await baseline();
    await t.world.fileApproved({ requestedRole: { id: "owner", name: "Owner" }, members: [ADA] });
    t.world.dolfin.addMember("usr_1", "ada@example.com", "owner"); // the vendor call landed; the outcome is not recorded yet

    expect(await inventory.syncNow("dolfin-acme")).toMatchObject({ changes: 0 });
    expect(await alerts()).toEqual([]);
    expect((await ledger())[0]).toMatchObject({ roleName: "Member" });
  });

  it("a revert that did not take effect is 🚨 — the member still holds the grant's role — once", async () => {
    const inventory = await baseline();
    const grant = await t.world.fileApproved({
      requestedRole: { id: "owner", name: "Owner" },
      durationSeconds: 3_600,
      members: [ADA],
    });
    await t.world.executor().runOnce();
    t.world.clock.advance(HOUR);
    await t.world.executor().runOnce(); // the revert
    const [revert] = await t.world.history.revertsOf(grant.id);
    expect(revert).toMatchObject({ status: "APPLIED" });
    t.world.dolfin.addMember("usr_1", "ada@example.com", "owner"); // …but Dolfin still says Owner
    t.world.clock.advance(60_000);

    await inventory.syncNow("dolfin-acme");
    t.world.clock.advance(HOUR);
    await inventory.syncNow("dolfin-acme");

    expect(await alerts()).toMatchObject([
      {
        vendorUserId: "usr_1",
        failedRevertOf: revert!.id,
        fromRoleName: "Member",
        toRoleName: "Owner",
        status: "OPEN",
      },
    ]);
    expect((await changes()).map((c) => [c.kind, c.requestId])).toEqual([["STILL_HELD", revert!.id]]);
    // Counted in rolegate_failed_reverts until an approver decides it.
    expect((await readInventorySnapshot(t.database.prisma)).revertsNotTaken).toBe(1);
  });
});

describe("a listing that cannot be trusted removes nobody", () => {
  it("a page that fails: the members read are kept, the rest are not removed, and the problem is said", async () => {
    const inventory = await baseline();
    t.world.dolfin.members.delete("usr_3");
    t.world.dolfin.listPageSize = 1;
    t.world.dolfin.listFailure = {
      page: 1,
      error: new VendorError({ kind: "unavailable", message: "Service unavailable", httpStatus: 503 }),
    };

    expect(await inventory.syncNow("dolfin-acme")).toMatchObject({ outcome: "partial", members: 1 });

    expect((await ledger()).every((m) => m.removedAt === null)).toBe(true);
    expect(await changes()).toEqual([]);
    expect(await schedule()).toMatchObject({
      lastOutcome: "partial",
      lastProblem: expect.stringContaining("could not read page 2 of the members list: Service unavailable"),
    });

    t.world.dolfin.listFailure = undefined;
    t.world.clock.advance(HOUR);
    expect(await inventory.syncNow("dolfin-acme")).toMatchObject({ outcome: "complete" });
    expect(await changes()).toMatchObject([{ vendorUserId: "usr_3", kind: "LEFT", fromRoleName: "Owner" }]);
  });

  it("an organization that suddenly lists nobody (a revoked credential answering 200): nobody is removed", async () => {
    const inventory = await baseline();
    t.world.dolfin.listPages = [[]];

    expect(await inventory.syncNow("dolfin-acme")).toMatchObject({ outcome: "partial", members: 0 });

    expect((await ledger()).filter((m) => m.removedAt)).toEqual([]);
    expect((await schedule()).lastProblem).toMatch(/listed no members where 3 were known/);
  });

  it("the same member twice with two roles: left as it was, and nobody removed", async () => {
    const inventory = await baseline();
    const ada = { vendorUserId: "usr_1", email: "ada@example.com", role: { id: "owner", name: "Owner" } };
    t.world.dolfin.listPages = [[{ ...ada, role: { id: "member", name: "Member" } }], [ada]];

    expect(await inventory.syncNow("dolfin-acme")).toMatchObject({ outcome: "partial" });

    expect(await alerts()).toEqual([]);
    expect(await changes()).toEqual([]);
    expect((await ledger()).map((m) => [m.roleName, m.removedAt])).toEqual([
      ["Member", null],
      ["Member", null],
      ["Owner", null],
    ]);
    expect((await schedule()).lastProblem).toMatch(/listed twice.*listed with two different roles/);
  });

  it("a member with no email is kept by vendor id and said", async () => {
    const inventory = inventoryOf(t.world, t.database);
    t.world.dolfin.addMember("usr_7", "", "admin");
    t.world.dolfin.members.get("usr_7")!.email = null;

    await inventory.syncNow("dolfin-acme");

    expect((await ledger()).find((m) => m.vendorUserId === "usr_7")).toMatchObject({ email: null, roleName: "Admin" });
    expect((await schedule()).lastProblem).toBe("1 member has no email; they are kept by vendor id");
  });
});

describe("replicas", () => {
  it("two replicas never sync one target at once: one lists, the other finds it taken", async () => {
    const a = inventoryOf(t.world, t.database, { owner: "replica-a" });
    const b = inventoryOf(t.world, t.database, { owner: "replica-b" });
    t.world.dolfin.listPageDelayMs = 50;
    await a.store.scheduleAtStart(["dolfin-acme"], 0);

    await Promise.all([a.loop.tick(), b.loop.tick(), a.loop.tick(), b.loop.tick()]);
    await Promise.all([a.loop.idle(), b.loop.idle()]);

    expect(t.world.dolfin.listings).toBe(1);
    expect([...a.reports, ...b.reports].filter((r) => r.target === "dolfin-acme")).toHaveLength(1);
    expect(await schedule()).toMatchObject({ leaseOwner: null, lastOutcome: "complete" });
  });

  it("syncs run one at a time, but a slow vendor gives its turn up: the other targets go on", async () => {
    const inventory = inventoryOf(t.world, t.database, { slowSyncAfterMs: 100 });
    t.world.dolfin.listPageDelayMs = 400; // two pages: 800 ms
    await inventory.store.scheduleAtStart(["dolfin-acme"], 0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await inventory.store.scheduleAtStart(["devin-a"], 0);

    await inventory.loop.tick(); // dolfin-acme, due first
    await inventory.loop.tick(); // nothing: one at a time
    expect(inventory.reports).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await inventory.loop.tick(); // dolfin-acme is slow now: devin-a goes
    await inventory.loop.idle();

    expect(inventory.reports.map((r) => [r.target, r.outcome])).toEqual([
      ["devin-a", "complete"],
      ["dolfin-acme", "complete"],
    ]);
  });

  it("a sync waits between pages while the executor applies an approved change, and never delays it", async () => {
    let busy = true;
    const inventory = inventoryOf(t.world, t.database, { executorBusy: () => busy });
    t.world.dolfin.listPageSize = 1;
    const request = await t.world.fileApproved({
      members: [{ ref: "bob@example.com", email: "bob@example.com", vendorUserId: "usr_2", roleWhenFiled: "Member" }],
    });
    await inventory.store.scheduleAtStart(["dolfin-acme"], 0);

    await inventory.loop.tick();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(inventory.reports).toEqual([]); // the sync waits after its first page
    await t.world.executor().runOnce(); // the approved change goes, the sync still waiting
    expect((await t.world.repo.find(request.id))?.status).toBe("APPLIED");
    busy = false;
    await inventory.loop.idle();

    expect(inventory.reports).toMatchObject([{ target: "dolfin-acme", outcome: "complete", members: 3 }]);
    expect(t.world.dolfin.calls).toHaveLength(1);
  });

  it("someone who asks for a sync while one runs gets one of their own right after it", async () => {
    const inventory = inventoryOf(t.world, t.database);
    t.world.dolfin.listPageDelayMs = 100;
    await inventory.store.requestSync("dolfin-acme", "U0FIRST01");
    await inventory.loop.tick();
    await inventory.store.requestSync("dolfin-acme", "U0SECOND1"); // while the first lists
    await inventory.loop.idle();

    expect(inventory.reports).toMatchObject([{ target: "dolfin-acme", requestedBy: "U0FIRST01" }]);
    const row = await schedule();
    expect(row.requestedBy).toBe("U0SECOND1");
    expect(row.nextSyncAt.getTime()).toBeLessThanOrEqual(Date.now());
  });
});
