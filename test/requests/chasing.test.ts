// Pending requests are not forgotten: reminders in the card's thread at doubling intervals, and
// escalation to further approvers when nobody decides in time.
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/file.js";
import { ApprovalPolicy } from "../../src/requests/approval-policy.js";
import { Housekeeping } from "../../src/requests/housekeeping.js";
import type { Filing } from "../../src/requests/filing.js";
import { RequestService } from "../../src/requests/request-service.js";
import { quietLogger } from "../support/database.js";
import { APPROVER, REQUESTER, StaticDirectory, TEST_ENV, useWorld } from "../support/world.js";

const t = useWorld();
const HOUR = 3_600_000;
const ESCALATION = "U0ESCALAT";

function chasingWorld() {
  const config = parseConfig(
    `
approvalChannel: C0APPROVALS
approvers: { users: [${APPROVER}] }
pendingTtl: 24h
remindAfter: 1h
targets:
  dolfin-acme: { vendor: dolfin, organization: org-acme, tokenEnv: DOLFIN_TOKEN, escalateTo: { users: [${ESCALATION}] }, escalateAfter: 4h }
`,
    "test",
    TEST_ENV,
  );
  const policy = new ApprovalPolicy(config, new StaticDirectory({}));
  const service = new RequestService({
    repo: t.world.repo,
    policy,
    ownAccess: async () => ({ kind: "none" }),
    config,
    clock: t.world.clock.now,
    logger: quietLogger,
  });
  const housekeeping = new Housekeeping({
    sweeps: t.world.sweeps,
    config,
    clock: t.world.clock.now,
    logger: quietLogger,
  });
  const filing = t.world.filingWith({ policy, config, settling: service });
  return { service, filing, housekeeping };
}

async function filed(filing: Filing) {
  const result = await filing.record({
    kind: "SET_ROLE",
    target: "dolfin-acme",
    requestedRole: { id: "Admin", name: "Admin" },
    reason: "on call",
    requesterId: REQUESTER,
    members: [{ ref: "ada@example.com", email: "ada@example.com", vendorUserId: "usr_1", roleWhenFiled: "Member" }],
  });
  if (!result.ok) throw new Error(result.refusal.message);
  await t.world.repo.setCard(result.value.id, "C0APPROVALS", "1700000000.000001");
  return result.value;
}

describe("an undecided request", () => {
  it("is reminded after remindAfter, then at doubling intervals (1h, 3h, 7h, 15h), never past its expiry", async () => {
    const { filing, housekeeping } = chasingWorld();
    const request = await filed(filing);
    const remindersAt: number[] = [];
    for (let hour = 0; hour <= 30; hour++) {
      if ((await housekeeping.chaseUndecided()).reminded > 0) remindersAt.push(hour);
      t.world.clock.advance(HOUR);
    }
    expect(remindersAt).toEqual([1, 3, 7, 15]);
    expect((await t.world.delivered(request.id)).filter((n) => n === "reminder")).toHaveLength(4);
  });

  it("is escalated after escalateAfter: the escalateTo approvers may decide from then on, not before", async () => {
    const { service, filing, housekeeping } = chasingWorld();
    const request = await filed(filing);
    expect(await service.approve(request.id, ESCALATION)).toMatchObject({
      ok: false,
      refusal: { code: "not_approver" },
    });

    t.world.clock.advance(4 * HOUR);
    expect(await housekeeping.chaseUndecided()).toMatchObject({ escalated: 1 });
    expect(await housekeeping.chaseUndecided()).toMatchObject({ escalated: 0 }); // once
    expect((await t.world.history.auditTrail(request.id)).map((e) => e.type)).toContain("ESCALATED");
    expect(await service.approve(request.id, ESCALATION)).toMatchObject({ ok: true, value: { status: "APPROVED" } });
  });

  it("a decided request is neither reminded nor escalated", async () => {
    const { service, filing, housekeeping } = chasingWorld();
    const request = await filed(filing);
    await service.deny(request.id, APPROVER);
    t.world.clock.advance(5 * HOUR);
    expect(await housekeeping.chaseUndecided()).toEqual({ reminded: 0, escalated: 0 });
  });
});
