// Changes made outside rolegate, from the sync that finds them to the approver's decision: one
// card per sync (a digest for many), Keep with a reason, Revert through a request decided like
// any change, and nobody deciding on their own access.
import { describe, expect, it } from "vitest";
import { inventoryOf } from "../support/inventory.js";
import { APPROVER, OUTSIDER, SECOND_APPROVER, useWorld } from "../support/world.js";

const t = useWorld();
const HOUR = 3_600_000;

const alerts = () =>
  t.database.prisma.outsideChange.findMany({ where: { target: "dolfin-acme" }, orderBy: { id: "asc" } });
const ledgerOf = (id: string) =>
  t.database.prisma.ledgerMember.findUniqueOrThrow({
    where: { target_vendorUserId: { target: "dolfin-acme", vendorUserId: id } },
  });

/** The baseline, then Ada made Owner in Dolfin, found by a second sync and its card posted. */
async function adaMadeOwnerOutside() {
  const inventory = inventoryOf(t.world, t.database);
  await inventory.syncNow("dolfin-acme");
  t.world.clock.advance(HOUR);
  t.world.dolfin.addMember("usr_1", "ada@example.com", "owner");
  await inventory.syncNow("dolfin-acme");
  await inventory.alerts.runOnce();
  const [change] = await alerts();
  return { inventory, change: change! };
}

describe("the card", () => {
  it("is posted once to the target's approval channel, and a later sync does not post it again", async () => {
    const { inventory } = await adaMadeOwnerOutside();
    t.world.clock.advance(HOUR);
    await inventory.syncNow("dolfin-acme");
    await inventory.alerts.runOnce();

    expect(inventory.publisher.posts).toBe(1);
    expect([...inventory.publisher.cards.keys()]).toEqual(["C0APPROVALS 1.000"]);
    const card = [...inventory.publisher.cards.values()][0]!;
    expect(card.changes).toMatchObject([
      { email: "ada@example.com", from: { name: "Member" }, to: { name: "Owner" }, status: "OPEN" },
    ]);
  });

  it("a bulk change (25 members made Owner at once) is one digest card, and Keep all keeps them with one reason", async () => {
    const inventory = inventoryOf(t.world, t.database);
    await inventory.syncNow("dolfin-acme");
    t.world.clock.advance(HOUR);
    for (let i = 0; i < 25; i++) t.world.dolfin.addMember(`usr_b${i}`, `bulk${i}@example.com`, "owner");
    await inventory.syncNow("dolfin-acme");
    await inventory.alerts.runOnce();

    expect(inventory.publisher.posts).toBe(1);
    const card = [...inventory.publisher.cards.values()][0]!;
    expect(card.changes).toHaveLength(25);

    const kept = await inventory.decisions.keepAll(card.id, APPROVER, "the SSO import of the platform team");
    expect(kept).toEqual({ ok: true, value: 25 });
    expect((await alerts()).every((a) => a.status === "KEPT" && a.decidedBy === APPROVER)).toBe(true);
    await inventory.alerts.runOnce();
    expect([...inventory.publisher.cards.values()][0]!.changes.every((c) => c.status === "KEPT")).toBe(true);
    expect(inventory.publisher.posts).toBe(1); // redrawn in place
  });
});

describe("Keep", () => {
  it("records who kept it and why; the ledger then explains the role by that acceptance, and the card is redrawn", async () => {
    const { inventory, change } = await adaMadeOwnerOutside();

    const result = await inventory.decisions.keep(change.id, APPROVER, "Ada covers for cy this week");

    expect(result).toMatchObject({ ok: true, value: { status: "KEPT", decidedBy: APPROVER } });
    expect(await ledgerOf("usr_1")).toMatchObject({ reason: "ACCEPTED", outsideChangeId: change.id });
    await inventory.alerts.runOnce();
    expect([...inventory.publisher.cards.values()][0]!.changes[0]).toMatchObject({
      status: "KEPT",
      reason: "Ada covers for cy this week",
    });
    expect(await inventory.decisions.keep(change.id, SECOND_APPROVER, "again")).toMatchObject({
      ok: false,
      refusal: { code: "already_decided", message: `This change was already kept by <@${APPROVER}>.` },
    });
  });

  it("is refused to someone who approves nothing here, to the member themselves, and without a reason", async () => {
    const inventory = inventoryOf(t.world, t.database);
    await inventory.syncNow("dolfin-acme");
    t.world.clock.advance(HOUR);
    t.world.dolfin.addMember("usr_9", "approver@example.com", "owner"); // the approver made herself Owner
    await inventory.syncNow("dolfin-acme");
    const [change] = await alerts();

    expect(await inventory.decisions.keep(change!.id, APPROVER, "fine by me")).toMatchObject({
      ok: false,
      refusal: { code: "own_access" },
    });
    expect(await inventory.decisions.keep(change!.id, OUTSIDER, "fine")).toMatchObject({
      ok: false,
      refusal: { code: "not_approver" },
    });
    expect(await inventory.decisions.keep(change!.id, SECOND_APPROVER, "  ")).toMatchObject({
      ok: false,
      refusal: { code: "invalid_request" },
    });
    t.world.slackUsers.emails.delete(SECOND_APPROVER); // Slack cannot say who she is: fail closed
    expect(await inventory.decisions.revert(change!.id, SECOND_APPROVER)).toMatchObject({
      ok: false,
      refusal: { code: "own_access_unverified" },
    });
    expect((await alerts())[0]).toMatchObject({ status: "OPEN" });
  });
});

describe("Revert", () => {
  it("files a request to put the previous role back, decided and applied like any change; the next sync explains it", async () => {
    const { inventory, change } = await adaMadeOwnerOutside();

    const result = await inventory.decisions.revert(change.id, APPROVER);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const request = await t.world.repo.find(result.value.requestId);
    expect(request).toMatchObject({
      status: "PENDING",
      requesterId: APPROVER,
      requestedRole: { name: "Member" },
      members: [{ vendorUserId: "usr_1", roleWhenFiled: "Owner" }],
    });
    expect((await alerts())[0]).toMatchObject({ status: "REVERTING", revertRequestId: request!.id });
    // Decided like any change: not by the approver who filed it, but by another.
    expect(await t.world.service.approve(request!.id, APPROVER)).toMatchObject({ ok: false });
    expect(await t.world.service.approve(request!.id, SECOND_APPROVER)).toMatchObject({ ok: true });
    await t.world.executor().runOnce();
    expect(t.world.dolfin.roleOf("usr_1")).toBe("member");

    t.world.clock.advance(HOUR);
    await inventory.syncNow("dolfin-acme");
    expect(await alerts()).toHaveLength(1);
    expect(await ledgerOf("usr_1")).toMatchObject({ roleName: "Member", reason: "REQUEST", requestId: request!.id });
  });

  it("a newcomer has no previous role to put back: Revert says so and files nothing", async () => {
    const inventory = inventoryOf(t.world, t.database);
    await inventory.syncNow("dolfin-acme");
    t.world.clock.advance(HOUR);
    t.world.dolfin.addMember("usr_8", "eve@example.com", "owner");
    await inventory.syncNow("dolfin-acme");
    const [change] = await alerts();

    expect(await inventory.decisions.revert(change!.id, APPROVER)).toMatchObject({
      ok: false,
      refusal: { message: expect.stringContaining("had no role in dolfin-acme before: there is nothing to put back") },
    });
    expect(await t.database.prisma.roleRequest.count()).toBe(0);
    expect((await alerts())[0]).toMatchObject({ status: "OPEN" });
  });

  it("Keep all leaves the change about the clicker's own access to another approver, and keeps the rest", async () => {
    const inventory = inventoryOf(t.world, t.database);
    await inventory.syncNow("dolfin-acme");
    t.world.clock.advance(HOUR);
    t.world.dolfin.addMember("usr_8", "eve@example.com", "owner");
    t.world.dolfin.addMember("usr_9", "approver@example.com", "owner");
    await inventory.syncNow("dolfin-acme");
    await inventory.alerts.runOnce();
    const card = [...inventory.publisher.cards.values()][0]!;

    expect(await inventory.decisions.keepAll(card.id, APPROVER, "the platform team's import")).toEqual({
      ok: true,
      value: 1,
    });
    expect((await alerts()).map((a) => [a.email, a.status])).toEqual([
      ["eve@example.com", "KEPT"],
      ["approver@example.com", "OPEN"],
    ]);
    expect(await inventory.decisions.keepAll(card.id, OUTSIDER, "fine")).toMatchObject({
      ok: false,
      refusal: { code: "not_approver" },
    });
  });
});
