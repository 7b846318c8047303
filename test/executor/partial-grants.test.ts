// A time-bound grant that changes some of its members and then fails, or keeps failing, must
// still end for the members it changed: their reverts are created in the commit that records
// the change, whatever becomes of the request.
import { describe, expect, it } from "vitest";
import { revertId } from "../../src/requests/store/reverts.js";
import { forbidden, unavailable } from "../support/fake-connector.js";
import { APPROVER, REQUESTER, useWorld } from "../support/world.js";

const t = useWorld();
const HOUR = 3_600_000;
const ADA = { ref: "ada@example.com", email: "ada@example.com", vendorUserId: "usr_1", roleWhenFiled: "Member" };
const BOB = { ref: "bob@example.com", email: "bob@example.com", vendorUserId: "usr_2", roleWhenFiled: "Member" };

async function grantFor(...members: (typeof ADA)[]) {
  return t.world.fileApproved({ durationSeconds: 3_600, members });
}

const setRoleCalls = () =>
  t.world.dolfin.calls.map((c) =>
    c.method === "setRole" ? `${c.change.role.id}:${c.change.members.map((m) => m.vendorUserId).join(",")}` : c.method,
  );

describe("a time-bound grant that changed only some of its members", () => {
  it("refused by the vendor for its second member: the first member's revert is scheduled in the commit that records the failure, and runs at the end", async () => {
    const grant = await grantFor(ADA, BOB);
    t.world.dolfin.nextWrites({
      kind: "partial",
      applyTo: ["usr_1"],
      error: forbidden("bob is managed by your identity provider"),
    });
    await t.world.executor().runOnce();

    const failed = await t.world.repo.find(grant.id);
    expect(failed).toMatchObject({ status: "FAILED", members: [{ outcome: "APPLIED" }, { outcome: "FAILED" }] });
    expect(failed!.grantEndsAt?.getTime()).toBe(t.world.clock.now().getTime() + HOUR);
    expect(await t.world.history.revertsOf(grant.id)).toMatchObject([
      { id: revertId(grant.id, 0), status: "APPROVED", requestedRole: { name: "Member" } },
    ]);
    expect(t.world.dolfin.roleOf("usr_1")).toBe("admin");

    t.world.clock.advance(HOUR);
    await t.world.executor().runOnce();
    expect(t.world.dolfin.roleOf("usr_1")).toBe("member");
    expect(t.world.dolfin.roleOf("usr_2")).toBe("member");
  });

  it("transient errors until maxAttempts after the first member was changed: the change is recorded, never made twice, and taken back at the end", async () => {
    const grant = await grantFor(ADA, BOB);
    t.world.dolfin.nextWrites(
      { kind: "partial", applyTo: ["usr_1"], error: unavailable() },
      { kind: "error", error: unavailable() },
      { kind: "error", error: unavailable() },
    );
    const executor = t.world.executor();
    await executor.runOnce();
    expect(await t.world.repo.find(grant.id)).toMatchObject({
      status: "APPROVED",
      members: [{ outcome: "APPLIED" }, { outcome: "PENDING" }],
    });
    expect(await t.world.history.revertsOf(grant.id)).toHaveLength(1); // scheduled with the reschedule, not at the give-up
    for (let i = 0; i < 2; i++) {
      t.world.clock.advance(2 * 60_000);
      await executor.runOnce();
    }
    const failed = await t.world.repo.find(grant.id);
    // Bob's last call got no clear answer: he is recorded as unknown, and reverted in case.
    expect(failed).toMatchObject({
      status: "FAILED",
      attempts: 3,
      members: [
        { outcome: "APPLIED" },
        {
          outcome: "FAILED",
          outcomeDetail: expect.stringContaining("could not learn whether this change took effect"),
        },
      ],
    });
    // Ada is never called again once her change is recorded: only Bob is retried.
    expect(setRoleCalls()).toEqual(["admin:usr_1,usr_2", "admin:usr_2", "admin:usr_2"]);

    t.world.clock.advance(HOUR);
    while (await executor.runOnce());
    expect(t.world.dolfin.roleOf("usr_1")).toBe("member");
    // Bob's revert finds him where he was and changes nothing.
    expect(setRoleCalls().slice(3)).toEqual(["member:usr_1"]);
    expect(await t.world.history.revertsOf(grant.id)).toMatchObject([
      { status: "APPLIED", members: [{ outcome: "APPLIED" }] },
      { status: "APPLIED", members: [{ outcome: "ALREADY_IN_PLACE" }] },
    ]);
  });

  it("a member whose change is recorded is never changed again: a Retry after the grant ended for her changes only the member who failed", async () => {
    const grant = await grantFor(ADA, BOB);
    t.world.dolfin.nextWrites({
      kind: "partial",
      applyTo: ["usr_1"],
      error: forbidden("Caller is not Admin or Owner of this organisation."),
    });
    await t.world.executor().runOnce();
    expect(await t.world.service.endEarly(grant.id, REQUESTER)).toMatchObject({ ok: true, value: { reverts: 1 } });
    await t.world.executor().runOnce(); // Ada's revert
    expect(t.world.dolfin.roleOf("usr_1")).toBe("member");

    expect(await t.world.service.retry(grant.id, APPROVER)).toMatchObject({ ok: true });
    await t.world.executor().runOnce(); // the retry: Bob only
    expect(t.world.dolfin.roleOf("usr_1")).toBe("member");
    expect(t.world.dolfin.roleOf("usr_2")).toBe("admin");
    // Bob's change took effect after the grant was ended: his revert is due at once.
    await t.world.executor().runOnce();
    expect(t.world.dolfin.roleOf("usr_2")).toBe("member");
    expect(await t.world.history.revertsOf(grant.id)).toMatchObject([{ status: "APPLIED" }, { status: "APPLIED" }]);
  });

  it("End now works on a grant that failed after changing some members, which is listed among the requester's running access", async () => {
    const grant = await grantFor(ADA, BOB);
    t.world.dolfin.nextWrites({ kind: "partial", applyTo: ["usr_1"], error: forbidden("no") });
    await t.world.executor().runOnce();
    expect(await t.world.history.list({ kind: "running_grants", userId: REQUESTER }, 10, "anyone")).toMatchObject([
      { id: grant.id },
    ]);
    expect(await t.world.service.endEarly(grant.id, APPROVER)).toMatchObject({ ok: true, value: { reverts: 1 } });
    await t.world.executor().runOnce();
    expect(t.world.dolfin.roleOf("usr_1")).toBe("member");
  });
});
