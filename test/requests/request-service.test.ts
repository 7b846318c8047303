import { describe, expect, it } from "vitest";
import { ApprovalPolicy } from "../../src/requests/approval-policy.js";
import { RequestService } from "../../src/requests/request-service.js";
import { quietLogger } from "../support/database.js";
import { waitFor } from "../support/wait.js";
import { forbidden, unavailable } from "../support/fake-connector.js";
import {
  APPROVER,
  useWorld,
  GROUP_APPROVER,
  OUTSIDER,
  REQUESTER,
  SECOND_APPROVER,
  type World,
} from "../support/world.js";

const t = useWorld();

describe("filing a request", () => {
  it("records it as pending with its members, the approvals its role needs, an expiry and a FILED event", async () => {
    const request = await t.world.file({
      requestedRole: { id: "owner", name: "Owner" },
      members: [
        { ref: "ada@example.com", email: "ada@example.com", vendorUserId: "usr_1", roleWhenFiled: "Member" },
        { ref: "id:usr_2", vendorUserId: "usr_2", roleWhenFiled: "Member" },
      ],
    });
    expect(request.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{6}$/);
    expect(request.status).toBe("PENDING");
    expect(request.requiredApprovals).toBe(2); // approvals: { owner: 2 }
    expect(request.expiresAt.getTime() - t.world.clock.now().getTime()).toBe(24 * 3_600_000);
    expect(request.members.map((m) => [m.ref, m.roleWhenFiled])).toEqual([
      ["ada@example.com", "Member"],
      ["id:usr_2", "Member"],
    ]);
    expect((await t.world.history.auditTrail(request.id)).map((e) => [e.type, e.actor])).toEqual([
      ["FILED", REQUESTER],
    ]);
    expect(await t.world.delivered(request.id)).toEqual(["filed"]);
  });

  it("refuses, in words, what cannot be filed, and records nothing", async () => {
    const cases: [Parameters<World["file"]>[0], string][] = [
      [
        { target: "nope" },
        'There is no target "nope". Configured targets: dolfin-acme, devin-a, devin-b, sentry-acme.',
      ],
      [{ reason: "   " }, "A reason is required"],
      [{ members: [] }, "Name at least one member"],
      [{ kind: "ADD_TO_ORGS" }, "Adding members to organizations works for Devin targets only"],
      [{ extraTargets: ["devin-a"] }, "A role change names one target"],
      [{ members: [{ ref: "ada@example.com" }, { ref: "ADA@example.com" }] }, "ada@example.com is named twice"],
    ];
    for (const [overrides, message] of cases) {
      await expect(t.world.file(overrides)).rejects.toThrow(message);
    }
    expect(await t.database.prisma.roleRequest.count()).toBe(0);
  });

  it("adds to several organizations of one Devin enterprise in one request needing the larger count", async () => {
    const request = await t.world.file({
      kind: "ADD_TO_ORGS",
      target: "devin-a",
      extraTargets: ["devin-b"],
      requestedRole: { id: "org_member", name: "Member" },
      members: [{ ref: "ada@example.com", email: "ada@example.com", vendorUserId: "user-ada" }],
    });
    expect(request.extraTargets).toEqual(["devin-b"]);
    expect(request.requiredApprovals).toBe(2); // devin-a needs 1, devin-b 2
  });
});

describe("deciding a request", () => {
  it("an approver's approval approves a one-approval request, once", async () => {
    const request = await t.world.file();
    const approved = await t.world.service.approve(request.id, APPROVER);
    expect(approved).toMatchObject({ ok: true, value: { status: "APPROVED", approvals: [{ approverId: APPROVER }] } });
    expect(await t.world.delivered(request.id)).toEqual(["filed", "approved"]);

    const again = await t.world.service.approve(request.id, SECOND_APPROVER);
    expect(again).toMatchObject({ ok: false, refusal: { code: "already_decided" } });
  });

  it("a member of an approvers' user group may approve", async () => {
    const request = await t.world.file();
    expect(await t.world.service.approve(request.id, GROUP_APPROVER)).toMatchObject({
      ok: true,
      value: { status: "APPROVED" },
    });
  });

  it("a two-approval request needs two different approvers", async () => {
    const request = await t.world.file({ requestedRole: { id: "owner", name: "Owner" } });
    expect(await t.world.service.approve(request.id, APPROVER)).toMatchObject({
      ok: true,
      value: { status: "PENDING" },
    });
    expect(await t.world.service.approve(request.id, APPROVER)).toMatchObject({
      ok: false,
      refusal: { code: "already_approved" },
    });
    expect(await t.world.service.approve(request.id, SECOND_APPROVER)).toMatchObject({
      ok: true,
      value: { status: "APPROVED" },
    });
    expect(await t.world.delivered(request.id)).toEqual(["filed", "approval_added", "approved"]);
    const trail = await t.world.history.auditTrail(request.id);
    expect(trail.map((e) => [e.type, e.actor, e.details])).toEqual([
      ["FILED", REQUESTER, expect.anything()],
      ["APPROVED", APPROVER, { approvals: 1, required: 2 }],
      ["REFUSED", APPROVER, expect.objectContaining({ code: "already_approved" })],
      ["APPROVED", SECOND_APPROVER, { approvals: 2, required: 2 }],
    ]);
  });

  it("refuses the requester and outsiders, records each refusal, and changes nothing else", async () => {
    const request = await t.world.file();
    expect(await t.world.service.approve(request.id, REQUESTER)).toMatchObject({
      ok: false,
      refusal: { code: "self_approval" },
    });
    expect(await t.world.service.approve(request.id, OUTSIDER)).toMatchObject({
      ok: false,
      refusal: { code: "not_approver" },
    });
    expect(await t.world.service.deny(request.id, OUTSIDER)).toMatchObject({
      ok: false,
      refusal: { code: "not_approver" },
    });
    const after = await t.world.repo.find(request.id);
    expect(after).toMatchObject({ status: "PENDING", approvals: [] });
    expect((await t.world.history.auditTrail(request.id)).map((e) => e.type)).toEqual([
      "FILED",
      "REFUSED",
      "REFUSED",
      "REFUSED",
    ]);
  });

  it("a deny with a reason denies it and keeps who and why", async () => {
    const request = await t.world.file();
    const denied = await t.world.service.deny(request.id, APPROVER, "  not during the freeze  ");
    expect(denied).toMatchObject({
      ok: true,
      value: { status: "DENIED", decidedBy: APPROVER, decisionNote: "not during the freeze" },
    });
    expect(await t.world.service.approve(request.id, SECOND_APPROVER)).toMatchObject({
      ok: false,
      refusal: { code: "already_decided" },
    });
    expect(await t.world.delivered(request.id)).toEqual(["filed", "denied"]);
  });

  it("only the requester cancels, and only while it is pending", async () => {
    const request = await t.world.file();
    expect(await t.world.service.cancel(request.id, APPROVER)).toMatchObject({
      ok: false,
      refusal: { code: "not_requester" },
    });
    expect(await t.world.service.cancel(request.id, REQUESTER)).toMatchObject({
      ok: true,
      value: { status: "CANCELLED" },
    });
    expect(await t.world.service.approve(request.id, APPROVER)).toMatchObject({
      ok: false,
      refusal: { code: "already_decided" },
    });
  });

  it("an unknown id is refused with a pointer to history", async () => {
    expect(await t.world.service.approve("ZZZZZZ", APPROVER)).toMatchObject({
      ok: false,
      refusal: { code: "not_found", message: expect.stringContaining("/role history") },
    });
  });
});

describe("expiry", () => {
  it("the sweep expires pending requests past pendingTtl, and only those", async () => {
    const old = await t.world.file();
    t.world.clock.advance(23 * 3_600_000);
    const young = await t.world.file();
    const approved = await t.world.fileApproved();
    t.world.clock.advance(1 * 3_600_000);

    expect(await t.world.housekeeping.expireDue()).toBe(1);
    expect((await t.world.repo.find(old.id))?.status).toBe("EXPIRED");
    expect((await t.world.repo.find(young.id))?.status).toBe("PENDING");
    expect((await t.world.repo.find(approved.id))?.status).toBe("APPROVED");
    expect(await t.world.delivered(old.id)).toEqual(["filed", "expired"]);
    expect(await t.world.housekeeping.expireDue()).toBe(0);
  });

  it("a click after the expiry is refused as expired and records the expiry", async () => {
    const request = await t.world.file();
    t.world.clock.advance(25 * 3_600_000);
    expect(await t.world.service.approve(request.id, APPROVER)).toMatchObject({
      ok: false,
      refusal: { code: "expired" },
    });
    expect((await t.world.repo.find(request.id))?.status).toBe("EXPIRED");
    expect((await t.world.history.auditTrail(request.id)).map((e) => e.type)).toEqual(["FILED", "EXPIRED", "REFUSED"]);
    expect(await t.world.delivered(request.id)).toEqual(["filed", "expired"]);
  });
});

describe("notices", () => {
  it("a notice Slack could not take is sent again later; the decision stands meanwhile", async () => {
    const request = await t.world.file();
    t.world.notifier.failing = true;
    expect(await t.world.service.approve(request.id, APPROVER)).toMatchObject({
      ok: true,
      value: { status: "APPROVED" },
    });

    expect(await t.world.notices.deliverDue()).toBe(1); // tried: Slack refused the "filed" notice
    expect(await t.world.notices.deliverDue()).toBe(0); // not yet due again; "approved" waits behind it
    expect((await t.world.repo.find(request.id))?.status).toBe("APPROVED");
    t.world.notifier.failing = false;
    await waitFor(async () => (await t.world.notices.deliverDue()) > 0, "the refused notice to be due again");
    expect(await t.world.delivered(request.id)).toEqual(["filed", "approved"]); // in order, once each
    expect(await t.world.notices.deliverDue()).toBe(0);
  });
});

describe("concurrency", () => {
  it("50 concurrent approvals by different approvers of a one-approval request: exactly one wins", async () => {
    const approvers = Array.from({ length: 50 }, (_, i) => `U0APPR${String(i).padStart(3, "0")}`);
    const config = { ...t.world.config, approvers: { users: approvers, usergroups: [] } };
    const service = new RequestService({
      repo: t.world.repo,
      policy: new ApprovalPolicy(config, { membersOf: async () => new Set() }),
      ownAccess: async () => ({ kind: "none" }),
      config,
      clock: t.world.clock.now,
      logger: quietLogger,
    });
    const request = await t.world.file();

    const results = await Promise.all(approvers.map((a) => service.approve(request.id, a)));

    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.refusal.code === "already_decided")).toBe(true);
    const stored = await t.world.repo.find(request.id);
    expect(stored?.status).toBe("APPROVED");
    expect(stored?.approvals).toHaveLength(1);
    const trail = await t.world.history.auditTrail(request.id);
    expect(trail.filter((e) => e.type === "APPROVED")).toHaveLength(1);
    expect(trail.filter((e) => e.type === "REFUSED")).toHaveLength(49);
  });
});

describe("what is applied is what was approved", () => {
  it("the requester can cancel an approved request no executor has taken up, and then no executor claims it", async () => {
    const request = await t.world.fileApproved();
    expect(await t.world.service.cancel(request.id, REQUESTER)).toMatchObject({
      ok: true,
      value: { status: "CANCELLED", nextAttemptAt: null },
    });
    expect(await t.world.executor().runOnce()).toBe(false);
    expect(t.world.dolfin.calls).toHaveLength(0);
  });

  it("an approver can deny an approved request not yet taken up, but not one an executor has already tried", async () => {
    const waiting = await t.world.fileApproved();
    expect(await t.world.service.deny(waiting.id, SECOND_APPROVER, "wrong person")).toMatchObject({
      ok: true,
      value: { status: "DENIED" },
    });
    expect(await t.world.executor().runOnce()).toBe(false);

    t.world.dolfin.nextWrites({ kind: "error", error: unavailable() });
    const tried = await t.world.fileApproved();
    await t.world.executor().runOnce(); // one attempt, rescheduled: APPROVED again, but started
    expect((await t.world.repo.find(tried.id))?.status).toBe("APPROVED");
    expect(await t.world.service.deny(tried.id, SECOND_APPROVER)).toMatchObject({
      ok: false,
      refusal: { code: "already_decided" },
    });
    expect(await t.world.service.cancel(tried.id, REQUESTER)).toMatchObject({
      ok: false,
      refusal: { code: "already_decided" },
    });
  });

  it("approvals go stale: a retry more than retryWindow after the last approval is refused", async () => {
    t.world.dolfin.nextWrites({ kind: "error", error: forbidden("Token lacks permission") });
    const request = await t.world.fileApproved();
    await t.world.executor().runOnce();
    t.world.clock.advance(24 * 3_600_000 + 1_000);

    const retried = await t.world.service.retry(request.id, SECOND_APPROVER);
    expect(retried).toMatchObject({ ok: false, refusal: { code: "approval_stale" } });
    expect(!retried.ok && retried.refusal.message).toContain("older than 24h");
    expect((await t.world.repo.find(request.id))?.status).toBe("FAILED");
  });

  it("an approval by someone who is no longer an approver does not count when the threshold is evaluated", async () => {
    const request = await t.world.file({ requestedRole: { id: "owner", name: "Owner" } }); // needs 2
    expect(await t.world.service.approve(request.id, GROUP_APPROVER)).toMatchObject({
      ok: true,
      value: { status: "PENDING" },
    });
    t.world.directory.groups.S0ADMINS1 = []; // removed from the approvers' group

    expect(await t.world.service.approve(request.id, APPROVER)).toMatchObject({
      ok: true,
      value: { status: "PENDING" },
    });
    expect(await t.world.service.approve(request.id, SECOND_APPROVER)).toMatchObject({
      ok: true,
      value: { status: "APPROVED" },
    });
    const approvedEvents = (await t.world.history.auditTrail(request.id))
      .filter((e) => e.type === "APPROVED")
      .map((e) => e.details);
    expect(approvedEvents).toEqual([
      { approvals: 1, required: 2 },
      { approvals: 1, required: 2, notCounted: [GROUP_APPROVER] },
      { approvals: 2, required: 2, notCounted: [GROUP_APPROVER] },
    ]);
  });

  it("a retry is refused when the approvals it rests on no longer count", async () => {
    t.world.dolfin.nextWrites({ kind: "error", error: forbidden("Token lacks permission") });
    const request = await t.world.file();
    await t.world.service.approve(request.id, GROUP_APPROVER);
    await t.world.executor().runOnce();
    t.world.directory.groups.S0ADMINS1 = [];

    expect(await t.world.service.retry(request.id, APPROVER)).toMatchObject({
      ok: false,
      refusal: { code: "approvals_lapsed" },
    });
  });
});

describe("typed text", () => {
  it("a reason or deny note with a NUL or other control characters is stored without them, instead of failing the write", async () => {
    const request = await t.world.file({ reason: "on call\u0000 this week\u001b[31m" });
    expect(request.reason).toBe("on call this week[31m");
    expect(await t.world.service.deny(request.id, APPROVER, "no\u0000pe\nnot now")).toMatchObject({
      ok: true,
      value: { decisionNote: "nope\nnot now" },
    });
  });
});
