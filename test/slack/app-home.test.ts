// The App Home tab through the real Bolt app: everyone's access and open requests, an approver's
// "Waiting on me" with buttons that decide exactly as the card's do, and a tab redrawn when what
// it shows changes.
import { describe, expect, it } from "vitest";
import { ACTIONS } from "../../src/slack/action-ids.js";
import { APPROVER, REQUESTER, SECOND_APPROVER, useSlackHarness, waitFor } from "../support/slack-harness.js";

const h = useSlackHarness();

describe("App Home", () => {
  it("an approver's Waiting on me lists the request with Approve and Deny; Approve there decides it as the card would, and the tab drops it", async () => {
    const id = await h.fileRequest("set dolfin-acme ada@example.com admin on call");
    const home = await h.openHome(APPROVER);
    expect(home).toContain("Waiting on me");
    expect(home).toContain(`*${id}* · make ada@example.com Admin in dolfin-acme`);

    await h.clickInHome(APPROVER, ACTIONS.approve, id);
    await waitFor(async () => (await h.rolegate.repo.find(id))?.status === "APPLIED", "the request to be applied");
    expect(h.dolfin.calls).toHaveLength(1);
    await waitFor(
      () => h.homeText(APPROVER).includes("nothing waits for your decision"),
      "the approver's tab to be redrawn",
    );
    await waitFor(() => h.cardText(id).includes("applied"), "the card to say so");
  });

  it("a refusal from App Home reaches the clicker by DM, since a tab has no channel", async () => {
    const id = await h.fileRequest("set dolfin-acme ada@example.com owner release");
    await h.openHome(APPROVER);
    await h.clickInHome(APPROVER, ACTIONS.approve, id); // 1 of 2 approvals for Owner
    await waitFor(async () => (await h.rolegate.repo.find(id))?.approvals.length === 1, "the first approval");
    await h.clickInHome(APPROVER, ACTIONS.approve, id);
    await waitFor(() => h.dmsTo(APPROVER).some((t) => t.includes("already approved")), "the refusal");
    expect((await h.rolegate.repo.find(id))?.approvals).toHaveLength(1);
  });

  it("the requester's open requests carry Cancel; Cancel withdraws it and every open tab that showed it is redrawn", async () => {
    const id = await h.fileRequest("set dolfin-acme ada@example.com admin on call");
    expect(await h.openHome(REQUESTER)).toContain(`*${id}* · waiting for approval`);
    expect(await h.openHome(SECOND_APPROVER)).toContain(id);

    await h.clickInHome(REQUESTER, ACTIONS.cancel, id);
    await waitFor(async () => (await h.rolegate.repo.find(id))?.status === "CANCELLED", "the request to be cancelled");
    await waitFor(
      () => h.homeText(REQUESTER).includes("*My open requests*: none waiting."),
      "the requester's tab to be redrawn",
    );
    await waitFor(() => !h.homeText(SECOND_APPROVER).includes(`*${id}* ·`), "the approver's tab to drop it");
    expect(h.dolfin.calls).toHaveLength(0);
  });

  it("My access shows a running grant with its end; I'm done there takes the access back, and the tab says none is running", async () => {
    const id = await h.fileRequest("set dolfin-acme ada@example.com admin for 2h incident 7");
    await h.click(APPROVER, ACTIONS.approve, id);
    await waitFor(async () => (await h.rolegate.repo.find(id))?.status === "APPLIED", "the grant to be applied");
    await h.noticesDelivered();

    const home = await h.openHome(REQUESTER);
    expect(home).toContain(`*${id}* · make ada@example.com Admin in dolfin-acme for 2h`);
    expect(home).toContain("⏱️ ends <!date^");
    await h.clickInHome(REQUESTER, ACTIONS.endEarly, id);
    await waitFor(() => h.dolfin.roleOf("usr_1") === "member", "the access to be taken back");
    await waitFor(
      () => h.homeText(REQUESTER).includes("*My access*: no time-bound access running."),
      "the tab to be redrawn",
    );
    expect(h.dolfin.calls).toHaveLength(2);
  });

  it("someone who approves nothing sees no Waiting on me, and a tab nobody opened is never published", async () => {
    await h.fileRequest("set dolfin-acme ada@example.com admin on call");
    expect(await h.openHome("U0OUTSIDE")).not.toContain("Waiting on me");
    expect(h.slack.callsTo("views.publish").map((c) => c.params.user_id)).toEqual(["U0OUTSIDE"]);
  });
});
