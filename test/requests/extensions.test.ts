// Extending a running grant: one extension open at a time, the same change as the grant's (Sentry
// team roles included, with their approvals and policy), and policy keys for team roles that mean
// what they say.
import { describe, expect, it } from "vitest";
import { APPROVER, REQUESTER, SECOND_APPROVER, useWorld } from "../support/world.js";

const t = useWorld();
const HOUR = 3_600;
const SENTRY_ADA = { ref: "ada@example.com", email: "ada@example.com", vendorUserId: "s_1", roleWhenFiled: "Member" };
const TEAM_ADMIN = [{ team: "backend", role: "admin" }];

function sentryRequest(durationSeconds: number | null, teamRoles = TEAM_ADMIN) {
  return {
    kind: "SET_ROLE" as const,
    target: "sentry-acme",
    requestedRole: { id: "member", name: "Member" },
    teamRoles,
    reason: "incident 42",
    requesterId: REQUESTER,
    durationSeconds,
    members: [SENTRY_ADA],
  };
}

describe("extensions", () => {
  it("a second Extend while the first is waiting says which one waits, and files nothing", async () => {
    const grant = await t.world.fileApproved({ durationSeconds: 2 * HOUR });
    await t.world.executor().runOnce();
    const first = await t.world.filing.extend(grant.id, REQUESTER);
    expect(first.ok).toBe(true);
    const second = await t.world.filing.extend(grant.id, REQUESTER);
    expect(second).toMatchObject({
      ok: false,
      refusal: {
        code: "extension_pending",
        message: expect.stringContaining(`request ${first.ok ? first.value.id : ""} is waiting`),
      },
    });
    // Two clicks at the same moment: one extension, one refusal.
    await t.world.service.deny(first.ok ? first.value.id : "", APPROVER);
    const both = await Promise.all([
      t.world.filing.extend(grant.id, REQUESTER),
      t.world.filing.extend(grant.id, REQUESTER),
    ]);
    expect(both.filter((r) => r.ok)).toHaveLength(1);
    expect(both.filter((r) => !r.ok && r.refusal.code === "extension_pending")).toHaveLength(1);
  });

  it("an extension of a Sentry team-admin grant carries the team roles: it needs the approvals team:admin asks for, and moves the end with no vendor call", async () => {
    const sentry = t.world.vendors.get("sentry-acme")!;
    sentry.addMember("s_1", "ada@example.com", "member");
    const filed = await t.world.filing.record(sentryRequest(4 * HOUR));
    expect(filed).toMatchObject({ ok: true, value: { requiredApprovals: 2 } });
    const grantId = filed.ok ? filed.value.id : "";
    for (const approver of [APPROVER, SECOND_APPROVER]) await t.world.service.approve(grantId, approver);
    await t.world.executor().runOnce();
    const grant = (await t.world.repo.find(grantId))!;
    expect(grant.status).toBe("APPLIED");

    const extension = await t.world.filing.extend(grantId, REQUESTER);
    expect(extension).toMatchObject({ ok: true, value: { teamRoles: TEAM_ADMIN, requiredApprovals: 2 } });
    const id = extension.ok ? extension.value.id : "";
    expect(await t.world.service.approve(id, APPROVER)).toMatchObject({ ok: true, value: { status: "PENDING" } });
    expect(await t.world.service.approve(id, SECOND_APPROVER)).toMatchObject({
      ok: true,
      value: { status: "APPROVED" },
    });
    await t.world.executor().runOnce();
    expect(sentry.calls).toHaveLength(1); // the grant's own call only
    expect((await t.world.repo.find(grantId))!.grantEndsAt!.getTime()).toBe(
      grant.grantEndsAt!.getTime() + 4 * HOUR * 1000,
    );
  });
});

describe("policy keys for team roles mean what they say", () => {
  it("requireDuration team:admin refuses a permanent team admin, whatever the org role", async () => {
    expect(await t.world.filing.record(sentryRequest(null))).toMatchObject({
      ok: false,
      refusal: {
        code: "policy",
        field: "duration",
        message: expect.stringContaining("admin of team backend in sentry-acme is only granted for a while"),
      },
    });
    // A permanent change that does not make anyone a team admin is not held to that key.
    expect(await t.world.filing.record(sentryRequest(null, [{ team: "backend", role: "contributor" }]))).toMatchObject({
      ok: true,
    });
  });

  it("maxDuration team:admin caps a team admin's grant", async () => {
    expect(await t.world.filing.record(sentryRequest(24 * HOUR))).toMatchObject({
      ok: false,
      refusal: {
        code: "policy",
        message: "admin of team backend in sentry-acme can be granted for at most 8h; you asked for 1d.",
      },
    });
    expect(await t.world.filing.record(sentryRequest(8 * HOUR))).toMatchObject({ ok: true });
  });
});
