// Every surface rolegate draws, filled with the most it can carry, checked against Slack's own
// limits (test/support/block-kit-limits.ts): a payload Slack would refuse fails here.
import { describe, expect, it } from "vitest";
import type { RoleRequest } from "../../src/requests/types.js";
import { approvalCard } from "../../src/slack/blocks/approval-card.js";
import { acceptRevertForm, denyForm, keepOutsideForm, requestForm } from "../../src/slack/blocks/forms.js";
import { outsideChangeCard } from "../../src/slack/blocks/outside-changes.js";
import { whoMessage } from "../../src/slack/blocks/who.js";
import { summary } from "../../src/slack/blocks/approval-card.js";
import { historyLine, historyMessage, showMessage } from "../../src/slack/blocks/history.js";
import { homeView } from "../../src/slack/blocks/home.js";
import { decodePage, olderPage } from "../../src/slack/history-page.js";
import { ScrubbedConnector } from "../../src/vendors/scrubbed-connector.js";
import { createVendorTextScrubber } from "../../src/vendors/vendor-text.js";
import { blockProblems, SURFACE_BLOCKS, viewProblems } from "../support/block-kit-limits.js";
import { FakeConnector } from "../support/fake-connector.js";
import { FakeSlackApi } from "../support/fake-slack-api.js";
import { sampleRequest, sampleTargets as targets } from "../support/sample-request.js";

const LONG_EMAIL = (i: number) => `${"a-very-long-mailbox-name.".repeat(9)}${i}@${"subdomain.".repeat(8)}example.com`;
const LONG_ROLE = "Department Knowledge Billing Manager ".repeat(5).trim();

/** The largest request: 50 members with long emails, long role names, decided, applied. */
function largest(i: number, overrides: Partial<RoleRequest> = {}): RoleRequest {
  const base = sampleRequest();
  return sampleRequest({
    id: `R${String(i).padStart(5, "0")}`,
    requestedRole: { id: "role-x", name: LONG_ROLE },
    reason: "x".repeat(2_000),
    durationSeconds: 3_600,
    grantEndsAt: new Date("2026-11-22T12:00:00Z"),
    status: "APPLIED",
    appliedAt: new Date("2026-11-22T11:00:00Z"),
    createdAt: new Date(Date.parse("2026-11-22T10:00:00Z") - i * 60_000),
    members: Array.from({ length: 50 }, (_, position) => ({
      ...base.members[0]!,
      position,
      ref: LONG_EMAIL(position),
      roleWhenFiled: LONG_ROLE,
      outcome: "APPLIED" as const,
    })),
    approvals: [
      { approverId: "U0APPROVE", at: new Date("2026-11-22T10:05:00Z") },
      { approverId: "U0SECOND1", at: new Date("2026-11-22T10:06:00Z") },
    ],
    ...overrides,
  });
}

function failedRevert(grant: RoleRequest, position: number): RoleRequest {
  return sampleRequest({
    id: `${grant.id}-R${position}`,
    revertOf: grant.id,
    status: "FAILED",
    failureDetail: `The vendor said no: ${"reason ".repeat(200)}`,
    members: [{ ...grant.members[position]! }],
  });
}

describe("Slack accepts every message rolegate sends", () => {
  it("the card of a grant whose revert failed for every one of 50 members is one Slack accepts: each button has its own action id", () => {
    const grant = largest(1);
    const reverts = grant.members.map((m) => failedRevert(grant, m.position));
    const card = approvalCard(grant, targets, reverts);
    expect(blockProblems(card.blocks, SURFACE_BLOCKS.message)).toEqual([]);
    const buttons = card.blocks
      .flatMap((b) => (b.type === "actions" ? b.elements : []))
      .map((e) => e as { action_id: string; value: string });
    // Retry and Take back for each, up to five members; every action id its own.
    expect(buttons.map((b) => b.value)).toEqual(reverts.slice(0, 5).flatMap((r) => [r.id, r.id]));
    expect(new Set(buttons.map((b) => b.action_id)).size).toBe(10);
  });

  it("a full page of history (50 requests of 50 members) fits in one message, says how many it shows, and the next page starts right after the last one shown", () => {
    const requests = Array.from({ length: 50 }, (_, i) => largest(i));
    const page = {
      query: { kind: "all" } as const,
      heading: "Recent requests",
      note: "You approve no target, so only your own requests are listed.",
      limit: 50,
    };
    const message = historyMessage(requests, page.heading, page.note, (shown) =>
      olderPage(page, shown, requests.length),
    );
    expect(blockProblems(message.blocks, SURFACE_BLOCKS.message)).toEqual([]);

    const text = FakeSlackApi.textOf({ text: "", blocks: message.blocks });
    const shownIds = requests.map((r) => r.id).filter((id) => text.includes(`*${id}*`));
    expect(message.text).toBe(`Recent requests: ${shownIds.length} requests`);
    expect(shownIds).toEqual(requests.slice(0, shownIds.length).map((r) => r.id));
    const button = message.blocks.find((b) => b.type === "actions");
    const next = decodePage((button as { elements: { value: string }[] }).elements[0]!.value);
    expect(next?.before.id).toBe(shownIds.at(-1));
  });

  it("a page of short requests shows every one of 50, each in full", () => {
    const requests = Array.from({ length: 50 }, (_, i) => sampleRequest({ id: `S${String(i).padStart(5, "0")}` }));
    const message = historyMessage(requests, "Recent requests");
    expect(blockProblems(message.blocks, SURFACE_BLOCKS.message)).toEqual([]);
    expect(message.text).toBe("Recent requests: 50 requests");
  });

  it("a history row cut for length keeps whole fields: who decided and when survive, and no mention or date token is cut", () => {
    const request = largest(1, {
      status: "DENIED",
      decidedBy: "U0APPROVE",
      decidedAt: new Date("2026-11-22T10:30:00Z"),
      durationSeconds: null,
    });
    const row = historyLine(request);
    expect(row.length).toBeLessThanOrEqual(3_000);
    expect(row).toMatch(/…and \d+ more · denied by <@U0APPROVE> · <!date\^\d+\^[^|>]+\|[^>]+>$/);
    expect(row.match(/</g)?.length).toBe(row.match(/>/g)?.length); // every token closed
  });

  it("App Home carrying the most of everything is a view Slack accepts", () => {
    const many = (n: number, overrides: Partial<RoleRequest> = {}) =>
      Array.from({ length: n }, (_, i) => largest(i, overrides));
    const view = homeView({
      grants: many(12).map((grant) => ({ grant, reverts: [failedRevert(grant, 0)] })),
      open: many(12, { status: "PENDING" }),
      waiting: many(12, { status: "PENDING" }),
      recent: many(10),
    });
    expect(viewProblems(view)).toEqual([]);
  });

  it("/role show of the largest request with a long audit trail is a message Slack accepts", () => {
    const grant = largest(1);
    const trail = Array.from({ length: 500 }, (_, i) => ({
      type: "REFUSED" as const,
      actor: "U0OUTSIDE",
      details: { reason: "no ".repeat(300) },
      at: new Date(1_795_000_000_000 + i * 1_000),
    }));
    const message = showMessage(
      grant,
      trail,
      targets,
      grant.members.map((m) => failedRevert(grant, m.position)),
    );
    expect(blockProblems(message.blocks, SURFACE_BLOCKS.message)).toEqual([]);
  });

  it("the deny and accept-as-is forms of the largest request are modals Slack accepts", () => {
    const grant = largest(1);
    expect(
      viewProblems(
        denyForm(grant.id, `Deny request ${grant.id}: ${summary(grant)}?`, {
          requestId: grant.id,
          channel: "C0APPROVALS",
        }),
      ),
    ).toEqual([]);
    const revert = failedRevert(grant, 0);
    const text = `${revert.members[0]!.ref} still holds what ${grant.id} granted: rolegate could not put them back as ${LONG_ROLE} (${revert.failureDetail}).`;
    expect(viewProblems(acceptRevertForm(text, { revertId: revert.id, channel: "C0APPROVALS" }))).toEqual([]);
  });

  it("the request form offers a role whose name is only spaces or control characters, by its id, and drops one with no id", async () => {
    const fake = new FakeConnector(targets.get("sentry-acme")!);
    fake.roles = [
      { id: "member", name: "Member" },
      { id: "ghost", name: " \u0000\t\u200f " },
      { id: " ", name: "Nameless id" },
      { id: "long", name: LONG_ROLE },
      ...Array.from({ length: 120 }, (_, i) => ({ id: `custom-${i}`, name: `Custom ${i}` })),
    ];
    const roles = await new ScrubbedConnector(fake, createVendorTextScrubber([])).listRoles();
    const view = requestForm([...targets.values()], { channel: "C1", target: "sentry-acme" }, { roles });
    expect(viewProblems(view)).toEqual([]);
    const text = FakeSlackApi.textOf({ text: "", blocks: view.blocks });
    expect(text).toContain("ghost");
    expect(text).not.toContain("Nameless id");
  });

  it("a digest of 100 changes outside rolegate with long emails and roles, decided and not, fits one message", () => {
    const change = (i: number) => ({
      id: BigInt(i + 1),
      target: "sentry-acme",
      vendorUserId: `member-${i}`,
      email: LONG_EMAIL(i),
      from: { id: "role-y", name: LONG_ROLE },
      to: { id: "role-x", name: LONG_ROLE },
      notBefore: new Date("2026-11-22T10:00:00Z"),
      observedAt: new Date("2026-11-22T11:00:00Z"),
      failedRevertOf: i % 7 === 0 ? "7K2QXM-R0" : null,
      status: (["OPEN", "KEPT", "REVERTING", "SETTLED"] as const)[i % 4]!,
      decidedBy: "U0APPROVE",
      decidedAt: new Date("2026-11-22T11:30:00Z"),
      reason: "y".repeat(1_000),
      revertRequestId: "8M3RTN",
    });
    for (const count of [1, 100]) {
      const card = outsideChangeCard({
        id: 1n,
        target: "sentry-acme",
        channel: null,
        ts: null,
        changes: Array.from({ length: count }, (_, i) => change(i)),
      });
      expect(blockProblems(card.blocks, SURFACE_BLOCKS.message)).toEqual([]);
    }
    expect(
      viewProblems(
        keepOutsideForm(`${LONG_EMAIL(1)} holds ${LONG_ROLE}`, { changeId: "1", cardId: null, channel: "C1" }),
      ),
    ).toEqual([]);
  });

  it("/role who of a big organization, with every kind of why, fits one message", () => {
    const roles = Array.from({ length: 60 }, (_, i) => ({ id: `role-${i}`, name: `${LONG_ROLE} ${i}` }));
    const reasons = ["REQUEST", "BEFORE_ROLEGATE", "OUTSIDE", "ACCEPTED"] as const;
    const message = whoMessage(
      {
        target: "sentry-acme",
        role: null,
        everyMs: 3_600_000,
        status: {
          syncedAt: new Date("2026-11-22T10:00:00Z"),
          lastAttemptAt: new Date("2026-11-22T11:00:00Z"),
          lastOutcome: "partial",
          lastProblem: "z".repeat(5_000),
          syncing: true,
          openChanges: 3,
        },
        groups: roles.map((role, r) => ({
          role,
          privileged: r < 3,
          total: 10_000,
          members: Array.from({ length: 25 }, (_, i) => ({
            vendorUserId: `m-${r}-${i}`,
            email: LONG_EMAIL(i),
            role,
            reason: reasons[i % 4]!,
            requestId: "7K2QXM",
            grantEndsAt: new Date("2026-11-23T10:00:00Z"),
            since: new Date("2026-11-20T10:00:00Z"),
            outsideStatus: "OPEN",
            keptBy: "U0APPROVE",
            roleTotal: 10_000,
          })),
        })),
      },
      new Date("2026-11-22T12:00:00Z"),
    );
    expect(blockProblems(message.blocks, SURFACE_BLOCKS.message)).toEqual([]);
  });
});
