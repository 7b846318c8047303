import { describe, expect, it } from "vitest";
import type { RoleRequest } from "../../src/requests/types.js";
import { approvalCard } from "../../src/slack/blocks/approval-card.js";
import { showMessage } from "../../src/slack/blocks/history.js";
import { blockProblems } from "../support/block-kit-limits.js";
import { FakeSlackApi } from "../support/fake-slack-api.js";
import { sampleRequest as request, sampleTargets as targets } from "../support/sample-request.js";

const text = (r: RoleRequest) => FakeSlackApi.textOf(approvalCard(r, targets));
const buttons = (r: RoleRequest) =>
  approvalCard(r, targets).blocks.flatMap((b) =>
    b.type === "actions" ? b.elements.map((e) => (e as { action_id: string }).action_id) : [],
  );

describe("the approval card", () => {
  it("a pending card shows approvals k of n, the expiry, and Approve / Deny carrying only the id", () => {
    const card = approvalCard(request(), targets);
    expect(text(request())).toContain("1 of 2\n<@U0APPROVE>");
    expect(text(request())).toContain("needs 1 more approval · expires <!date^1795428000^");
    const actions = card.blocks.find((b) => b.type === "actions");
    expect(actions).toMatchObject({
      elements: [
        { action_id: "rolegate_approve", value: "7K2QXM" },
        { action_id: "rolegate_deny", value: "7K2QXM" },
      ],
    });
  });

  it("escapes what people typed: no broadcasts, fake mentions or disguised links", () => {
    const card = text(
      request({
        reason: "<!channel> see <https://evil.example|the runbook> & ask <@U0BOSS>",
        members: [{ ...request().members[0]!, ref: "<@U0FAKE>" }],
      }),
    );
    expect(card).toContain("&lt;!channel&gt; see &lt;https://evil.example|the runbook&gt; &amp; ask &lt;@U0BOSS&gt;");
    expect(card).toContain("&lt;@U0FAKE&gt;: Member → *Admin*");
    expect(card).not.toMatch(/<!channel>|<@U0FAKE>|<@U0BOSS>|<https:\/\/evil/);
  });

  it("stays within Slack's limits with a huge reason and fifty members", () => {
    const members = Array.from({ length: 50 }, (_, i) => ({
      ...request().members[0]!,
      position: i,
      ref: `${"person".repeat(10)}${i}@example.com`,
    }));
    const card = approvalCard(request({ reason: "x".repeat(5_000), members }), targets);
    expect(blockProblems(card.blocks, 50)).toEqual([]);
    expect(FakeSlackApi.textOf(card)).toMatch(/…and \d+ more/);
    expect(FakeSlackApi.textOf(card)).toContain("x…");
  });

  it("says what happened at every stage, and offers a button only while something is left to decide", () => {
    const at = new Date("2026-11-22T11:00:00Z");
    expect(text(request({ status: "EXECUTING", attempts: 2 }))).toContain("applying now (attempt 2)");
    expect(text(request({ status: "APPROVED", failureDetail: "Too many requests", nextAttemptAt: at }))).toContain(
      "the last attempt failed (Too many requests); trying again",
    );
    expect(
      text(request({ status: "APPLIED", appliedAt: at, members: [{ ...request().members[0]!, outcome: "APPLIED" }] })),
    ).toContain("ada@example.com: Member → *Admin*  ✅");
    expect(
      text(request({ status: "DENIED", decidedBy: "U0APPROVE", decidedAt: at, decisionNote: "freeze" })),
    ).toContain("denied by <@U0APPROVE>");
    expect(text(request({ status: "CANCELLED", decidedBy: "U0REQUEST", decidedAt: at }))).toContain(
      "cancelled by <@U0REQUEST>",
    );
    expect(text(request({ status: "EXPIRED" }))).toContain("nobody decided in 1d");
    expect(
      text(request({ status: "FAILED", failureDetail: "You do not have permission to set that org-level role" })),
    ).toContain("failed: You do not have permission to set that org-level role · an approver can retry");

    expect(buttons(request({ status: "FAILED" }))).toEqual(["rolegate_retry"]);
    // Approved but not yet taken up: it can still be stopped; once an attempt ran, it cannot.
    expect(buttons(request({ status: "APPROVED" }))).toEqual(["rolegate_deny"]);
    expect(buttons(request({ status: "APPROVED", attempts: 1 }))).toEqual([]);
    for (const status of ["EXECUTING", "APPLIED", "DENIED", "CANCELLED", "EXPIRED"] as const) {
      expect(buttons(request({ status })), status).toEqual([]);
    }
  });

  it("a grant that failed after changing some members says when they go back, and offers End now beside Retry", () => {
    const grant = request({
      status: "FAILED",
      durationSeconds: 3_600,
      grantEndsAt: new Date("2026-11-22T12:00:00Z"),
      failureDetail: "bob is managed by your identity provider",
    });
    const revert = request({ id: "7K2QXM-R0", revertOf: grant.id, status: "APPROVED" });
    const card = approvalCard(grant, targets, [revert]);
    expect(FakeSlackApi.textOf(card)).toContain("each member it changed goes back to their previous role");
    const ids = card.blocks.flatMap((b) =>
      b.type === "actions" ? b.elements.map((e) => (e as { action_id: string }).action_id) : [],
    );
    expect(ids).toEqual(["rolegate_end_early", "rolegate_retry"]);
  });

  it("an extension's card says how long the grant will have run in all if approved, and once applied how long it runs", () => {
    const grant = request({
      status: "APPLIED",
      durationSeconds: 7_200,
      appliedAt: new Date("2026-11-22T10:00:00Z"),
      grantEndsAt: new Date("2026-11-22T12:00:00Z"),
    });
    const extension = request({ id: "8K2QXM", extendsGrant: grant.id, durationSeconds: 7_200 });
    expect(FakeSlackApi.textOf(approvalCard(extension, targets, [], grant))).toContain(
      `once approved, request ${grant.id} ends 2h later, at <!date^1795356000^`,
    );
    expect(FakeSlackApi.textOf(approvalCard(extension, targets, [], grant))).toContain(
      ": 4h in all since it was applied",
    );
    const moved = { ...grant, grantEndsAt: new Date("2026-11-22T14:00:00Z") };
    expect(FakeSlackApi.textOf(approvalCard({ ...extension, status: "APPLIED" }, targets, [], moved))).toContain(
      `Extended request ${grant.id}: it now ends <!date^1795356000^`,
    );
    expect(FakeSlackApi.textOf(approvalCard({ ...extension, status: "APPLIED" }, targets, [], moved))).toContain(
      ", 4h in all.",
    );
  });

  it("a non-Devin card carries no Devin warning", () => {
    expect(text(request())).not.toContain("identity-provider group");
  });

  it("a member whose role could not be read is marked unknown, with why", () => {
    expect(
      text(
        request({
          members: [{ ...request().members[0]!, roleWhenFiled: "unknown: the vendor did not answer in time" }],
        }),
      ),
    ).toContain("ada@example.com: _unknown: the vendor did not answer in time_ → *Admin*");
  });
});

describe("/role show", () => {
  it("keeps the newest audit events when the trail is too long to show whole, and says how many earlier ones it left out", () => {
    const trail = Array.from({ length: 120 }, (_, i) => ({
      type: "REFUSED" as const,
      actor: "U0OUTSIDE",
      details: { reason: `refusal number ${i}` },
      at: new Date(Date.parse("2026-11-22T10:00:00Z") + i * 1_000),
    }));
    const shown = FakeSlackApi.textOf(showMessage(request(), trail, targets));
    expect(shown).toContain("refusal number 119");
    expect(shown).not.toMatch(/refusal number 0$/m);
    expect(shown).toMatch(/…\d+ earlier events not shown/);
    expect(blockProblems(showMessage(request(), trail, targets).blocks, 50)).toEqual([]);
  });
});
