// Section 1 of the trust issue: nobody approves (or retries) a change to their own access,
// however the request names them and whoever filed it.
import { describe, expect, it } from "vitest";
import { forbidden, unavailable } from "../support/fake-connector.js";
import { revertId } from "../../src/requests/store/reverts.js";
import { APPROVER, REQUESTER, SECOND_APPROVER, useWorld } from "../support/world.js";

const t = useWorld();

const events = async (id: string) =>
  (await t.world.history.auditTrail(id)).map((e) => [e.type, e.actor, e.details.code ?? null]);

describe("nobody approves a change to their own access", () => {
  it("an approver who is the request's member cannot approve it, though a colleague filed it", async () => {
    t.world.slackUsers.emails.set(APPROVER, "Ada@Example.com"); // the approver is Ada
    const request = await t.world.file({ requestedRole: { id: "owner", name: "Owner" } });

    const result = await t.world.service.approve(request.id, APPROVER);

    expect(result).toMatchObject({ ok: false, refusal: { code: "own_access" } });
    expect(!result.ok && result.refusal.message).toContain("it changes your own access (ada@example.com)");
    expect(await t.world.repo.find(request.id)).toMatchObject({ status: "PENDING", approvals: [] });
    expect(await events(request.id)).toEqual([
      ["FILED", REQUESTER, null],
      ["REFUSED", APPROVER, "own_access"],
    ]);
  });

  it("an approver the vendor knows as a member cannot approve, though the request names her only by vendor id", async () => {
    t.world.dolfin.addMember("usr_1", "approver@example.com", "member"); // usr_1 is the approver's account
    const request = await t.world.file({
      members: [{ ref: "id:usr_1", vendorUserId: "usr_1", roleWhenFiled: "Member" }],
    });

    expect(await t.world.service.approve(request.id, APPROVER)).toMatchObject({
      ok: false,
      refusal: { code: "own_access", message: expect.stringContaining("id:usr_1") },
    });
    // Someone else approves it as usual.
    expect(await t.world.service.approve(request.id, SECOND_APPROVER)).toMatchObject({
      ok: true,
      value: { status: "APPROVED" },
    });
  });

  it("a member of the request cannot press Retry on it either, and no approval is counted", async () => {
    t.world.dolfin.nextWrites({ kind: "error", error: forbidden("Token lacks permission") });
    const request = await t.world.fileApproved();
    await t.world.executor().runOnce();
    t.world.slackUsers.emails.set(SECOND_APPROVER, "ada@example.com");

    expect(await t.world.service.retry(request.id, SECOND_APPROVER)).toMatchObject({
      ok: false,
      refusal: { code: "own_access" },
    });
    expect(await t.world.repo.find(request.id)).toMatchObject({
      status: "FAILED",
      approvals: [{ approverId: APPROVER }],
    });
  });

  it("when Slack or the vendor cannot say who the approver is, the approval is refused and says why", async () => {
    const request = await t.world.file();
    t.world.slackUsers.emails.delete(APPROVER); // users.info fails for her
    const noSlack = await t.world.service.approve(request.id, APPROVER);
    expect(noSlack).toMatchObject({ ok: false, refusal: { code: "own_access_unverified" } });
    expect(!noSlack.ok && noSlack.refusal.message).toContain("Slack did not say which email address is yours");

    t.world.slackUsers.emails.set(SECOND_APPROVER, null); // a profile without an email
    expect(await t.world.service.approve(request.id, SECOND_APPROVER)).toMatchObject({
      ok: false,
      refusal: { code: "own_access_unverified" },
    });

    t.world.slackUsers.emails.set(APPROVER, "approver@example.com");
    t.world.dolfin.readError = unavailable();
    const noVendor = await t.world.service.approve(request.id, APPROVER);
    expect(!noVendor.ok && noVendor.refusal.message).toContain(
      "dolfin-acme did not answer when asked who you are there",
    );
    expect(await t.world.repo.find(request.id)).toMatchObject({ status: "PENDING", approvals: [] });
  });

  it("a member may still deny a request about her own access: denying grants nothing", async () => {
    t.world.slackUsers.emails.set(APPROVER, "ada@example.com");
    const request = await t.world.file();
    expect(await t.world.service.deny(request.id, APPROVER, "I don't need it")).toMatchObject({
      ok: true,
      value: { status: "DENIED" },
    });
  });
});

describe("nobody decides on their own access, on any path", () => {
  const CY_DEMOTED = {
    members: [{ ref: "cy@example.com", email: "cy@example.com", vendorUserId: "usr_3", roleWhenFiled: "Owner" }],
    requestedRole: { id: "member", name: "Member" },
  };

  it("Devin add by id: the approver being added is recognised by her enterprise account, though she is in no organization yet", async () => {
    const devin = t.world.vendors.get("devin-a")!;
    devin.people.set("approver@example.com", "dv_approver"); // her enterprise user, not a member of org-a
    const request = await t.world.file({
      kind: "ADD_TO_ORGS",
      target: "devin-a",
      members: [{ ref: "id:dv_approver", vendorUserId: "dv_approver", roleWhenFiled: null }],
    });

    expect(await t.world.service.approve(request.id, APPROVER)).toMatchObject({
      ok: false,
      refusal: { code: "own_access", message: expect.stringContaining("id:dv_approver") },
    });
    devin.personError = unavailable();
    expect(await t.world.service.approve(request.id, APPROVER)).toMatchObject({
      ok: false,
      refusal: { code: "own_access_unverified" },
    });
    devin.personError = undefined;
    expect(await t.world.service.approve(request.id, SECOND_APPROVER)).toMatchObject({
      ok: true,
      value: { status: "APPROVED" },
    });
  });

  it("a member cannot deny a request that lowers her own role: denying would keep her higher", async () => {
    t.world.slackUsers.emails.set(APPROVER, "cy@example.com");
    const request = await t.world.file(CY_DEMOTED);
    const refused = await t.world.service.deny(request.id, APPROVER, "no thanks");
    expect(refused).toMatchObject({ ok: false, refusal: { code: "own_access" } });
    expect(!refused.ok && refused.refusal.message).toContain("more access than the alternative");
    expect(await t.world.repo.find(request.id)).toMatchObject({ status: "PENDING" });
    expect(await t.world.service.deny(request.id, SECOND_APPROVER)).toMatchObject({
      ok: true,
      value: { status: "DENIED" },
    });
  });

  it("a member cannot end early a time-bound demotion of herself: its revert would raise her", async () => {
    t.world.slackUsers.emails.set(REQUESTER, "cy@example.com"); // she asked to be lowered for a while
    const grant = await t.world.fileApproved({ ...CY_DEMOTED, durationSeconds: 3_600 });
    await t.world.executor().runOnce();
    expect(t.world.dolfin.roleOf("usr_3")).toBe("member");

    const refused = await t.world.service.endEarly(grant.id, REQUESTER);
    expect(refused).toMatchObject({
      ok: false,
      refusal: { code: "own_access", message: expect.stringContaining("previous, higher role back") },
    });
    expect(await t.world.repo.find(revertId(grant.id, 0))).toMatchObject({
      status: "APPROVED",
      nextAttemptAt: grant.grantEndsAt ?? expect.any(Date),
    });
    expect(await t.world.service.endEarly(grant.id, APPROVER)).toMatchObject({ ok: true });
  });

  it("a member cannot retry the failed revert of her own demotion, which would raise her; another approver can", async () => {
    const grant = await t.world.fileApproved({ ...CY_DEMOTED, durationSeconds: 3_600 });
    await t.world.executor().runOnce();
    t.world.dolfin.nextWrites({
      kind: "error",
      error: forbidden("Caller is not Admin or Owner of this organisation."),
    });
    t.world.clock.advance(3_600_000);
    await t.world.executor().runOnce();
    const revert = revertId(grant.id, 0);
    expect(await t.world.repo.find(revert)).toMatchObject({ status: "FAILED" });

    t.world.slackUsers.emails.set(SECOND_APPROVER, "cy@example.com");
    expect(await t.world.service.retry(revert, SECOND_APPROVER)).toMatchObject({
      ok: false,
      refusal: { code: "own_access" },
    });
    expect(await t.world.service.retry(revert, APPROVER)).toMatchObject({ ok: true, value: { status: "APPROVED" } });
  });

  it("a member may retry the failed revert of her own elevation: it only takes access away", async () => {
    const grant = await t.world.fileApproved({ durationSeconds: 3_600 });
    await t.world.executor().runOnce();
    t.world.dolfin.nextWrites({
      kind: "error",
      error: forbidden("Caller is not Admin or Owner of this organisation."),
    });
    t.world.clock.advance(3_600_000);
    await t.world.executor().runOnce();
    t.world.slackUsers.emails.set(SECOND_APPROVER, "ada@example.com");
    expect(await t.world.service.retry(revertId(grant.id, 0), SECOND_APPROVER)).toMatchObject({
      ok: true,
      value: { status: "APPROVED" },
    });
  });

  it("a member cannot approve the extension of her own grant", async () => {
    const grant = await t.world.fileApproved({ durationSeconds: 7_200 });
    await t.world.executor().runOnce();
    const extension = await t.world.filing.extend(grant.id, REQUESTER);
    expect(extension.ok).toBe(true);
    t.world.slackUsers.emails.set(APPROVER, "ada@example.com");
    expect(await t.world.service.approve(extension.ok ? extension.value.id : "", APPROVER)).toMatchObject({
      ok: false,
      refusal: { code: "own_access" },
    });
  });
});
