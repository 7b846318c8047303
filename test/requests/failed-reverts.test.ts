// A revert that failed stays loud until an approver — never its member — settles it: Take back
// files a new request to the pre-grant role, decided like any change; Accept as is records why
// the role may stay. Either way the audit trail says who and how, and rolegate_failed_reverts
// stops counting it.
import { describe, expect, it } from "vitest";
import { revertId } from "../../src/requests/store/reverts.js";
import { readWorkSnapshot } from "../../src/requests/store/work-snapshot.js";
import { forbidden } from "../support/fake-connector.js";
import { APPROVER, OUTSIDER, REQUESTER, SECOND_APPROVER, useWorld } from "../support/world.js";

const t = useWorld();
const HOUR = 3_600_000;

/** A grant whose revert found ada promoted to Owner at the vendor meanwhile: FAILED, state_changed. */
async function failedRevert() {
  const grant = await t.world.fileApproved({ durationSeconds: 3_600 });
  await t.world.executor().runOnce();
  t.world.dolfin.addMember("usr_1", "ada@example.com", "owner");
  t.world.clock.advance(HOUR);
  await t.world.executor().runOnce();
  const id = revertId(grant.id, 0);
  expect(await t.world.repo.find(id)).toMatchObject({ status: "FAILED", failureCode: "state_changed" });
  return { grantId: grant.id, id };
}

const filing = () => t.world.filing;
const unsettled = async () => (await readWorkSnapshot(t.database.prisma)).failedReverts;

describe("settling a revert that failed", () => {
  it("accept as it is: an approver's reason settles it, recorded on the revert and its grant, and the gauge stops counting it; the member and non-approvers cannot", async () => {
    const { grantId, id } = await failedRevert();
    expect(await unsettled()).toBe(1);

    t.world.slackUsers.emails.set(APPROVER, "ada@example.com");
    expect(await t.world.service.acceptRevert(id, APPROVER, "I need it")).toMatchObject({
      ok: false,
      refusal: { code: "own_access" },
    });
    expect(await t.world.service.acceptRevert(id, OUTSIDER, "fine")).toMatchObject({
      ok: false,
      refusal: { code: "not_approver" },
    });
    expect(await t.world.service.acceptRevert(id, SECOND_APPROVER, "  ")).toMatchObject({
      ok: false,
      refusal: { code: "invalid_request" },
    });
    expect(await unsettled()).toBe(1);

    expect(await t.world.service.acceptRevert(id, SECOND_APPROVER, "the CTO made her Owner on purpose")).toMatchObject({
      ok: true,
      value: { resolution: { by: SECOND_APPROVER, reason: "the CTO made her Owner on purpose" } },
    });
    expect(await unsettled()).toBe(0);
    for (const request of [id, grantId]) {
      expect((await t.world.history.auditTrail(request)).at(-1)).toMatchObject({
        type: "RESOLVED",
        actor: SECOND_APPROVER,
        details: { reason: "the CTO made her Owner on purpose" },
      });
    }
    expect(await t.world.service.acceptRevert(id, APPROVER, "again")).toMatchObject({
      ok: false,
      refusal: { code: "already_decided" },
    });
    expect(t.world.dolfin.roleOf("usr_1")).toBe("owner"); // nothing was called
  });

  it("a revert that failed while the member still holds the grant's role cannot be accepted: one approver would make a time-bound role permanent", async () => {
    const grant = await t.world.fileApproved({ durationSeconds: 3_600 });
    await t.world.executor().runOnce();
    t.world.dolfin.nextWrites({
      kind: "error",
      error: forbidden("Caller is not Admin or Owner of this organisation."),
    });
    t.world.clock.advance(HOUR);
    await t.world.executor().runOnce();
    const id = revertId(grant.id, 0);
    expect(await t.world.repo.find(id)).toMatchObject({ status: "FAILED", failureCode: null });
    expect(await t.world.service.acceptRevert(id, SECOND_APPROVER, "fine by me")).toMatchObject({
      ok: false,
      refusal: { code: "policy" },
    });
    expect(await unsettled()).toBe(1);
  });

  it("take back: an approver files a new request to the pre-grant role, read as it is now; once another approves it and it is applied, the revert is settled", async () => {
    const { id } = await failedRevert();
    t.world.slackUsers.emails.set(SECOND_APPROVER, "ada@example.com");
    expect(await filing().takeBack(id, SECOND_APPROVER)).toMatchObject({ ok: false, refusal: { code: "own_access" } });

    const filed = await filing().takeBack(id, APPROVER);
    expect(filed).toMatchObject({
      ok: true,
      value: {
        takesBack: id,
        requesterId: APPROVER,
        requestedRole: { name: "Member" },
        members: [{ roleWhenFiled: "Owner" }],
      },
    });
    const takeBack = filed.ok ? filed.value : null;
    expect(await filing().takeBack(id, APPROVER)).toMatchObject({
      ok: false,
      refusal: { message: expect.stringContaining(`already filed: request ${takeBack!.id}`) },
    });
    expect(await t.world.service.acceptRevert(id, REQUESTER, "never mind")).toMatchObject({
      ok: false,
      refusal: { message: expect.stringContaining("take-back") },
    });
    expect(await unsettled()).toBe(1); // until it is applied

    expect(await t.world.service.approve(takeBack!.id, APPROVER)).toMatchObject({
      ok: false,
      refusal: { code: "self_approval" },
    });
    expect(await t.world.service.approve(takeBack!.id, REQUESTER)).toMatchObject({
      ok: true,
      value: { status: "APPROVED" },
    });
    await t.world.executor().runOnce();
    expect(t.world.dolfin.roleOf("usr_1")).toBe("member");
    expect(await t.world.repo.find(id)).toMatchObject({
      resolution: { reason: `taken back by request ${takeBack!.id}` },
    });
    expect(await unsettled()).toBe(0);
  });
});

describe("a take-back filed with its members already read", () => {
  it("is refused to whoever may not settle the revert, as the Take back button is: never filed on the side", async () => {
    const { id } = await failedRevert();
    const takeBackBy = (requesterId: string) =>
      t.world.filing.record({
        kind: "SET_ROLE",
        target: "dolfin-acme",
        requestedRole: { id: "member", name: "Member" },
        reason: "take it back",
        requesterId,
        takesBack: id,
        members: [{ ref: "ada@example.com", email: "ada@example.com", vendorUserId: "usr_1", roleWhenFiled: "Owner" }],
      });
    expect(await takeBackBy(OUTSIDER)).toMatchObject({ ok: false, refusal: { code: "not_approver" } });
    t.world.slackUsers.emails.set(SECOND_APPROVER, "ada@example.com");
    expect(await takeBackBy(SECOND_APPROVER)).toMatchObject({ ok: false, refusal: { code: "own_access" } });
    expect(await t.world.history.list({ kind: "all" }, 10, "anyone")).toHaveLength(1); // the grant only
  });
});
