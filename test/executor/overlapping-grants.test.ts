// At most one time-bound grant runs for a member in a target: a change that would overlap one is
// refused at filing, naming it, and — should two filings race — by the executor before any call.
// So no sequence of approved requests leaves a member, once every grant has ended, in a role no
// approval covers.
import { describe, expect, it } from "vitest";
import { APPROVER, useWorld } from "../support/world.js";

const t = useWorld();
const MINUTE = 60_000;
const ADA_ADMIN = { ref: "ada@example.com", email: "ada@example.com", vendorUserId: "usr_1", roleWhenFiled: "Member" };

async function grantRunning(seconds = 3_600) {
  const grant = await t.world.fileApproved({ durationSeconds: seconds, members: [ADA_ADMIN] });
  await t.world.executor().runOnce();
  return (await t.world.repo.find(grant.id))!;
}

const fileResult = (overrides: Parameters<typeof t.world.filing.record>[0]) => t.world.filing.record(overrides);
const demotion = (durationSeconds: number | null) => ({
  kind: "SET_ROLE" as const,
  target: "dolfin-acme",
  requestedRole: { id: "member", name: "Member" },
  reason: "harmless demotion",
  requesterId: "U0OUTSIDE",
  durationSeconds,
  members: [{ ...ADA_ADMIN, roleWhenFiled: "Admin" }],
});

describe("overlapping grants", () => {
  it("G1 makes ada Admin for 1h; at 50 min a G2 making her Member for 30m is refused at filing, naming G1 and how to extend or end it; after G1 ends she is Member, as before", async () => {
    const g1 = await grantRunning();
    t.world.clock.advance(50 * MINUTE);
    const g2 = await fileResult(demotion(1_800));
    expect(g2).toMatchObject({ ok: false, refusal: { code: "grant_running", field: "members" } });
    expect(!g2.ok && g2.refusal.message).toMatch(
      new RegExp(
        `ada@example.com has a time-bound grant in dolfin-acme that has not ended: request ${g1.id} \\(Admin until .+\\)\\..*Extend it.*End now`,
      ),
    );

    t.world.clock.advance(10 * MINUTE);
    while (await t.world.executor().runOnce());
    expect(t.world.dolfin.roleOf("usr_1")).toBe("member");
    // Once G1 has ended, the same request is filed as usual.
    expect(await fileResult({ ...demotion(1_800), members: [ADA_ADMIN] })).toMatchObject({ ok: true });
  });

  it("a permanent change for a member with a running grant is refused too: the grant is ended first, so its revert never undoes the change or is undone by it", async () => {
    const g1 = await grantRunning();
    expect(await fileResult({ ...demotion(null), requestedRole: { id: "owner", name: "Owner" } })).toMatchObject({
      ok: false,
      refusal: { code: "grant_running" },
    });
    expect(await t.world.service.endEarly(g1.id, APPROVER)).toMatchObject({ ok: true });
    await t.world.executor().runOnce();
    expect(
      await fileResult({ ...demotion(null), requestedRole: { id: "owner", name: "Owner" }, members: [ADA_ADMIN] }),
    ).toMatchObject({ ok: true });
  });

  it("an approved grant not yet applied holds the member; one still waiting for approval does not, so nobody can shield themselves by refiling one; other members are free", async () => {
    const waiting = await t.world.file({ durationSeconds: 3_600, members: [ADA_ADMIN] });
    const demotedMeanwhile = await fileResult({ ...demotion(600), members: [ADA_ADMIN] });
    expect(demotedMeanwhile).toMatchObject({ ok: true });
    await t.world.service.cancel(demotedMeanwhile.ok ? demotedMeanwhile.value.id : "", "U0OUTSIDE");
    await t.world.service.approve(waiting.id, APPROVER); // approved: the executor has not taken it up
    expect(await fileResult({ ...demotion(600), members: [ADA_ADMIN] })).toMatchObject({
      ok: false,
      refusal: { message: expect.stringContaining(`request ${waiting.id} (Admin, not yet applied)`) },
    });
    expect(
      await fileResult({
        ...demotion(600),
        members: [{ ref: "bob@example.com", email: "bob@example.com", vendorUserId: "usr_2", roleWhenFiled: "Member" }],
      }),
    ).toMatchObject({
      ok: true,
    });
  });

  it("two grants for one member that raced past filing: the second to reach the executor changes nothing and says which grant runs; once both are over she holds her first role", async () => {
    const g1 = await t.world.fileApproved({ durationSeconds: 3_600, members: [ADA_ADMIN] });
    // Filed by the repository directly, as a filing that raced G1's would be.
    const g2 = await t.world.repo.create(
      {
        ...demotion(1_800),
        requesterId: "U0OUTSIDE",
        requiredApprovals: 1,
        expiresAt: new Date(t.world.clock.now().getTime() + 86_400_000),
      },
      t.world.clock.now(),
    );
    await t.world.service.approve(g2.id, APPROVER);
    while (await t.world.executor().runOnce());

    const [first, second] = [await t.world.repo.find(g1.id), await t.world.repo.find(g2.id)];
    const failed = [first, second].filter((g) => g?.status === "FAILED");
    expect(failed).toHaveLength(1);
    expect(failed[0]!.failureDetail).toMatch(
      /has a time-bound grant in dolfin-acme that has not ended \(request [0-9A-Z]{6}\); nothing was changed/,
    );

    t.world.clock.advance(2 * 3_600_000);
    while (await t.world.executor().runOnce());
    expect(t.world.dolfin.roleOf("usr_1")).toBe("member");
  });
});
