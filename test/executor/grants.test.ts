// Time-bound grants: applied, then reverted to each member's previous role when the time is up,
// through the same durable executor — once, and never over a change someone else made.
import { describe, expect, it } from "vitest";
import { revertId } from "../../src/requests/store/reverts.js";
import { APPROVER, REQUESTER, SECOND_APPROVER, useWorld } from "../support/world.js";

const t = useWorld();
const HOUR = 3_600_000;

async function applyGrant(seconds = 3_600, members?: Parameters<typeof t.world.fileApproved>[0]) {
  const grant = await t.world.fileApproved({ durationSeconds: seconds, ...members });
  await t.world.executor().runOnce();
  return (await t.world.repo.find(grant.id))!;
}

describe("a time-bound grant", () => {
  it("is applied, and reverted to the member's previous role when its time is up, with exactly one call each way", async () => {
    const grant = await applyGrant(3_600);
    expect(grant).toMatchObject({ status: "APPLIED", durationSeconds: 3_600 });
    // The clock starts when the change is applied, not when it was filed.
    expect(grant.grantEndsAt?.getTime()).toBe(grant.appliedAt!.getTime() + HOUR);
    expect(t.world.dolfin.roleOf("usr_1")).toBe("admin");

    expect(await t.world.executor().runOnce()).toBe(false); // not due yet
    t.world.clock.advance(HOUR);
    expect(await t.world.executor().runOnce()).toBe(true);

    expect(t.world.dolfin.roleOf("usr_1")).toBe("member");
    expect(t.world.dolfin.calls.map((c) => c.method === "setRole" && c.change.role.name)).toEqual(["Admin", "Member"]);
    expect(await t.world.repo.find(revertId(grant.id, 0))).toMatchObject({
      status: "APPLIED",
      revertOf: grant.id,
      members: [{ outcome: "APPLIED" }],
    });
    expect(await t.world.executor().runOnce()).toBe(false);
  });

  it("reverts each member to the role they had before — not a fixed one — and leaves alone a member who already had the role", async () => {
    t.world.dolfin.addMember("usr_3", "cy@example.com", "owner");
    t.world.dolfin.addMember("usr_2", "bob@example.com", "admin");
    const grant = await applyGrant(60, {
      members: [
        { ref: "cy@example.com", email: "cy@example.com", vendorUserId: "usr_3", roleWhenFiled: "Owner" },
        { ref: "bob@example.com", email: "bob@example.com", vendorUserId: "usr_2", roleWhenFiled: "Admin" },
      ],
    });
    expect(grant.members.map((m) => m.outcome)).toEqual(["APPLIED", "ALREADY_IN_PLACE"]);
    expect(await t.world.history.revertsOf(grant.id)).toHaveLength(1); // bob keeps what he had
    t.world.clock.advance(60_000);
    await t.world.executor().runOnce();
    expect(t.world.dolfin.roleOf("usr_3")).toBe("owner");
    expect(t.world.dolfin.roleOf("usr_2")).toBe("admin");
  });

  it("finds the role changed by someone else meanwhile: it does not overwrite it, and says so", async () => {
    const grant = await applyGrant(3_600);
    t.world.dolfin.addMember("usr_1", "ada@example.com", "owner"); // promoted at the vendor meanwhile
    t.world.clock.advance(HOUR);
    await t.world.executor().runOnce();

    expect(t.world.dolfin.roleOf("usr_1")).toBe("owner");
    const revert = await t.world.repo.find(revertId(grant.id, 0));
    expect(revert).toMatchObject({
      status: "FAILED",
      failureCode: "state_changed",
      failureDetail: expect.stringContaining("ada@example.com is Owner now, not Admin as approved"),
    });
    expect(await t.world.delivered(revert!.id)).toContain("failed");
  });

  it("can be ended early by its requester, and then reverts at once", async () => {
    const grant = await applyGrant(8 * 3_600);
    expect(await t.world.service.endEarly(grant.id, "U0OUTSIDE")).toMatchObject({
      ok: false,
      refusal: { code: "not_requester" },
    });
    expect(await t.world.service.endEarly(grant.id, REQUESTER)).toMatchObject({ ok: true, value: { reverts: 1 } });
    await t.world.executor().runOnce();
    expect(t.world.dolfin.roleOf("usr_1")).toBe("member");
    expect(await t.world.service.endEarly(grant.id, APPROVER)).toMatchObject({
      ok: false,
      refusal: { code: "nothing_to_end" },
    });
    expect((await t.world.history.auditTrail(grant.id)).map((e) => e.type)).toContain("REVOKED");
  });

  it("an approver can end it early too; a permanent change has nothing to end", async () => {
    const grant = await applyGrant(3_600);
    expect(await t.world.service.endEarly(grant.id, SECOND_APPROVER)).toMatchObject({ ok: true });
    const permanent = await t.world.fileApproved({
      members: [{ ref: "bob@example.com", email: "bob@example.com", vendorUserId: "usr_2", roleWhenFiled: "Member" }],
    });
    await t.world.executor().runOnce(); // the revert, due now
    await t.world.executor().runOnce(); // the permanent change
    expect(await t.world.service.endEarly(permanent.id, APPROVER)).toMatchObject({
      ok: false,
      refusal: { code: "nothing_to_end" },
    });
  });

  it("nobody can deny or cancel a revert: taking access back is not up for a vote", async () => {
    const grant = await applyGrant(3_600);
    const id = revertId(grant.id, 0);
    expect(await t.world.service.deny(id, APPROVER)).toMatchObject({ ok: false, refusal: { code: "already_decided" } });
    expect(await t.world.service.cancel(id, REQUESTER)).toMatchObject({
      ok: false,
      refusal: { code: "not_requester" },
    });
    expect((await t.world.repo.find(id))?.status).toBe("APPROVED");
  });

  it("a revert due while rolegate was down runs on start; two executors never revert twice", async () => {
    const grants = await Promise.all(
      [0, 1, 2].map((i) => {
        t.world.dolfin.addMember(`usr_g${i}`, `g${i}@example.com`, "member");
        return t.world.fileApproved({
          durationSeconds: 60,
          members: [
            {
              ref: `g${i}@example.com`,
              email: `g${i}@example.com`,
              vendorUserId: `usr_g${i}`,
              roleWhenFiled: "Member",
            },
          ],
        });
      }),
    );
    while (await t.world.executor().runOnce());
    t.world.clock.advance(10 * HOUR); // down for ten hours
    const a = t.world.executor({ owner: "exec-a" });
    const b = t.world.executor({ owner: "exec-b" });
    const drain = async (e: typeof a) => {
      while (await e.runOnce());
    };
    await Promise.all([drain(a), drain(b)]);
    expect(t.world.dolfin.calls).toHaveLength(6); // three grants, three reverts
    for (const g of grants)
      expect(await t.world.repo.find(revertId(g.id, 0))).toMatchObject({ status: "APPLIED", attempts: 1 });
  });

  it("a time-bound request cannot be an add: adding someone to an organization is for good", async () => {
    await expect(t.world.file({ kind: "ADD_TO_ORGS", target: "devin-a", durationSeconds: 60 })).rejects.toThrow(
      "Time-bound access works with /role set",
    );
  });
});

describe("a grant's end", () => {
  it("warns the requester a day before (grants of two days and more) and an hour before, once each", async () => {
    const long = await applyGrant(3 * 86_400);
    expect(await t.world.housekeeping.warnEndingGrants()).toBe(0);
    t.world.clock.advance(2 * 86_400_000 + 60_000); // less than a day left
    expect(await t.world.housekeeping.warnEndingGrants()).toBe(1);
    expect(await t.world.housekeeping.warnEndingGrants()).toBe(0);
    t.world.clock.advance(86_400_000 - 2 * HOUR); // two hours left, less a minute: nothing yet
    expect(await t.world.housekeeping.warnEndingGrants()).toBe(0);
    t.world.clock.advance(HOUR + 120_000);
    expect(await t.world.housekeeping.warnEndingGrants()).toBe(1);
    expect((await t.world.delivered(long.id)).filter((n) => n === "ending_soon")).toHaveLength(2);
  });

  it("a short grant gets only the hour's warning", async () => {
    const short = await applyGrant(4 * 3_600);
    t.world.clock.advance(3 * HOUR + 60_000);
    expect(await t.world.housekeeping.warnEndingGrants()).toBe(1);
    t.world.clock.advance(10 * 60_000);
    expect(await t.world.housekeeping.warnEndingGrants()).toBe(0);
    expect((await t.world.delivered(short.id)).filter((n) => n === "ending_soon")).toHaveLength(1);
  });

  it("an extension is a new request approved like any other; once applied it moves the grant's end and its revert, without a vendor call", async () => {
    const grant = await applyGrant(3_600);
    const end = grant.grantEndsAt!.getTime();
    t.world.clock.advance(30 * 60_000);
    expect(await t.world.filing.extend(grant.id, APPROVER)).toMatchObject({
      ok: false,
      refusal: { code: "not_requester" },
    });
    const extension = await t.world.filing.extend(grant.id, REQUESTER);
    if (!extension.ok) throw new Error(extension.refusal.message);
    expect(extension.value).toMatchObject({
      status: "PENDING",
      extendsGrant: grant.id,
      durationSeconds: 3_600,
      requiredApprovals: 1,
    });

    expect(await t.world.service.approve(extension.value.id, APPROVER)).toMatchObject({ ok: true });
    await t.world.executor().runOnce();
    expect(await t.world.repo.find(extension.value.id)).toMatchObject({
      status: "APPLIED",
      members: [{ outcome: "ALREADY_IN_PLACE" }],
    });
    expect(t.world.dolfin.calls).toHaveLength(1); // only the grant's own change
    expect((await t.world.repo.find(grant.id))?.grantEndsAt?.getTime()).toBe(end + HOUR);
    expect((await t.world.history.auditTrail(grant.id)).map((e) => e.type)).toContain("EXTENDED");

    t.world.clock.advance(HOUR); // past the old end: the revert waits
    expect(await t.world.executor().runOnce()).toBe(false);
    expect(t.world.dolfin.roleOf("usr_1")).toBe("admin");
    t.world.clock.advance(30 * 60_000);
    expect(await t.world.executor().runOnce()).toBe(true);
    expect(t.world.dolfin.roleOf("usr_1")).toBe("member");
  });

  it("an extension approved after the access ended moves nothing and changes nothing", async () => {
    const grant = await applyGrant(3_600);
    const extension = await t.world.filing.extend(grant.id, REQUESTER);
    if (!extension.ok) throw new Error(extension.refusal.message);
    await t.world.service.endEarly(grant.id, REQUESTER);
    await t.world.executor().runOnce(); // the revert
    expect(t.world.dolfin.roleOf("usr_1")).toBe("member");
    await t.world.service.approve(extension.value.id, APPROVER);
    await t.world.executor().runOnce();
    expect(t.world.dolfin.roleOf("usr_1")).toBe("member");
    expect(await t.world.repo.find(extension.value.id)).toMatchObject({
      status: "FAILED",
      failureCode: "state_changed",
    });
  });
});
