import { describe, expect, it } from "vitest";
import { decide, type LifecycleState, type Standing } from "../../src/requests/lifecycle.js";
import type { RequestStatus } from "../../src/requests/types.js";

const NOW = new Date("2026-11-22T10:00:00Z");
const LATER = new Date("2026-11-23T10:00:00Z");

const state = (overrides: Partial<LifecycleState> = {}): LifecycleState => ({
  status: "PENDING",
  requesterId: "U0REQ",
  expiresAt: new Date("2026-11-22T12:00:00Z"),
  requiredApprovals: 1,
  approvals: [],
  rolesKnown: true,
  started: false,
  failureCode: null,
  isRevert: false,
  ...overrides,
});

/** Approvals by these people, an hour before NOW. */
const approvedBy = (...ids: string[]) =>
  ids.map((approverId) => ({ approverId, at: new Date(NOW.getTime() - 3_600_000) }));

const standing = (mayDecide = true, approvers: string[] = [], lapsed: string[] = []): Standing => ({
  mayDecide,
  requesterMayAsk: true,
  ownAccess: { kind: "none" },
  approvers: new Map([...approvers.map((a) => [a, true] as const), ...lapsed.map((a) => [a, false] as const)]),
});

const approve = (actor = "U0APP", mayDecide = true, now = NOW, approvers: string[] = []) => ({
  type: "approve" as const,
  actor,
  standing: standing(mayDecide, approvers),
  now,
});
const retry = (actor = "U0APP", mayDecide = true, approvers: string[] = ["U0FIRST"], now = NOW) => ({
  type: "retry" as const,
  actor,
  standing: standing(mayDecide, approvers),
  now,
  retryWindowMs: 24 * 3_600_000,
});
const deny = (actor = "U0APP", mayDecide = true, now = NOW) => ({ type: "deny" as const, actor, mayDecide, now });

describe("approving", () => {
  it("one approval of a one-approval request approves it", () => {
    expect(decide(state(), approve())).toEqual({ ok: true, to: "APPROVED", event: "APPROVED", approvalsGiven: 1 });
  });

  it("the first of two required approvals keeps it pending and counts it", () => {
    expect(decide(state({ requiredApprovals: 2 }), approve())).toEqual({
      ok: true,
      to: "PENDING",
      event: "APPROVED",
      approvalsGiven: 1,
    });
  });

  it("the second required approval approves it", () => {
    expect(
      decide(
        state({ requiredApprovals: 2, approvals: approvedBy("U0FIRST") }),
        approve("U0APP", true, NOW, ["U0FIRST"]),
      ),
    ).toMatchObject({
      ok: true,
      to: "APPROVED",
    });
  });

  it("nobody approves their own request, even an approver", () => {
    expect(decide(state(), approve("U0REQ"))).toMatchObject({ ok: false, refusal: { code: "self_approval" } });
  });

  it("someone who is not an approver is refused", () => {
    expect(decide(state(), approve("U0ANY", false))).toMatchObject({ ok: false, refusal: { code: "not_approver" } });
  });

  it("one approval per person: a second one says how many more are needed", () => {
    const decision = decide(
      state({ requiredApprovals: 3, approvals: approvedBy("U0APP") }),
      approve("U0APP", true, NOW, ["U0APP"]),
    );
    expect(decision).toMatchObject({ ok: false, refusal: { code: "already_approved" } });
    expect(!decision.ok && decision.refusal.message).toContain("needs 2 more approvals");
  });

  it("a request already approved, denied or applied is not decided again", () => {
    for (const status of ["APPROVED", "DENIED", "CANCELLED", "EXECUTING", "APPLIED", "FAILED"] as RequestStatus[]) {
      expect(decide(state({ status }), approve()), status).toMatchObject({
        ok: false,
        refusal: { code: "already_decided" },
      });
    }
  });

  it("an approval after the expiry is refused and expires the request", () => {
    expect(decide(state(), approve("U0APP", true, LATER))).toMatchObject({
      ok: false,
      refusal: { code: "expired" },
      expire: true,
    });
  });
});

describe("denying, cancelling, expiring", () => {
  it("any one approver's deny denies it, whatever approvals it had", () => {
    expect(decide(state({ requiredApprovals: 2, approvals: approvedBy("U0FIRST") }), deny())).toEqual({
      ok: true,
      to: "DENIED",
      event: "DENIED",
    });
  });

  it("a non-approver cannot deny, and the requester is pointed to cancel", () => {
    expect(decide(state(), deny("U0ANY", false))).toMatchObject({ ok: false, refusal: { code: "not_approver" } });
    const own = decide(state(), deny("U0REQ"));
    expect(own).toMatchObject({ ok: false, refusal: { code: "self_approval" } });
    expect(!own.ok && own.refusal.message).toContain("/role cancel");
  });

  it("only the requester cancels, and only until an executor takes it up", () => {
    expect(decide(state(), { type: "cancel", actor: "U0REQ", now: NOW })).toEqual({
      ok: true,
      to: "CANCELLED",
      event: "CANCELLED",
    });
    expect(decide(state(), { type: "cancel", actor: "U0APP", now: NOW })).toMatchObject({
      ok: false,
      refusal: { code: "not_requester" },
    });
    expect(
      decide(state({ status: "APPROVED", started: true }), { type: "cancel", actor: "U0REQ", now: NOW }),
    ).toMatchObject({
      ok: false,
      refusal: { code: "already_decided" },
    });
  });

  it("an expired request reads as expired, not merely decided", () => {
    expect(decide(state({ status: "EXPIRED" }), approve())).toMatchObject({ ok: false, refusal: { code: "expired" } });
  });
});

describe("retrying", () => {
  it("a failed request goes back to APPROVED when another approver asks for a retry", () => {
    const failed = state({ status: "FAILED", approvals: approvedBy("U0FIRST"), started: true });
    expect(decide(failed, retry())).toEqual({ ok: true, to: "APPROVED", event: "RETRIED" });
    expect(decide(failed, retry("U0ANY", false))).toMatchObject({ ok: false, refusal: { code: "not_approver" } });
    expect(decide(failed, retry("U0REQ"))).toMatchObject({ ok: false, refusal: { code: "self_approval" } });
    expect(decide(state({ status: "APPLIED" }), retry())).toMatchObject({
      ok: false,
      refusal: { code: "not_failed" },
    });
  });
});
