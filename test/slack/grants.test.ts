// Time-bound access through the real Bolt app: asked for with "for <duration>", shown on the
// card with its end, ended from the requester's DM, and loud when access could not be taken back.
import { describe, expect, it } from "vitest";
import { revertId } from "../../src/requests/store/reverts.js";
import { ACTIONS } from "../../src/slack/action-ids.js";
import { forbidden } from "../support/fake-connector.js";
import {
  APPROVER,
  GROUP_APPROVER,
  REQUESTER,
  SECOND_APPROVER,
  useSlackHarness,
  waitFor,
} from "../support/slack-harness.js";

const h = useSlackHarness();

async function grantApplied(text = "set dolfin-acme ada@example.com admin for 1m incident 42"): Promise<string> {
  const id = await h.fileRequest(text);
  expect(h.cardText(id)).toContain("Admin for ");
  await h.click(APPROVER, ACTIONS.approve, id);
  await waitFor(async () => (await h.rolegate.repo.find(id))?.status === "APPLIED", "the grant to be applied");
  await h.noticesDelivered();
  return id;
}

describe("time-bound access in Slack", () => {
  it("shows the grant's end on the card and in the DM, and 'I'm done' takes the access back at once", async () => {
    const id = await grantApplied();
    expect(h.dolfin.roleOf("usr_1")).toBe("admin");
    expect(h.cardText(id)).toContain("Admin for 1m (until");
    expect(h.cardText(id)).toContain("each member goes back to their previous role");
    expect(h.dmsTo(REQUESTER).at(-1)).toContain("It ends");
    const answered = h.slack.responses.length;
    await h.command(REQUESTER, "history mine");
    await waitFor(() => h.slack.responses.length > answered, "the history");
    expect(h.lastResponse()).toContain("ada@example.com: Member → Admin for 1m (until <!date^");

    await h.clickInDm(REQUESTER, ACTIONS.endEarly);
    await waitFor(() => h.dolfin.roleOf("usr_1") === "member", "the role to be taken back");
    await waitFor(
      () => h.cardText(id).includes("every member is back in their previous role"),
      "the card to say it ended",
    );
    await waitFor(
      () => h.dmsTo(REQUESTER).some((t) => t.includes("ended: ada@example.com is Member again")),
      "the requester to be told",
    );
    expect(h.dolfin.calls).toHaveLength(2);
  });

  it("a revert that fails is shown loudly on the card and DMed to every approver, with a Retry that takes the access back", async () => {
    const id = await grantApplied();
    h.dolfin.nextWrites({ kind: "error", error: forbidden("Caller is not Admin or Owner of this organisation.") });
    await h.click(SECOND_APPROVER, ACTIONS.endEarly, id);

    await waitFor(async () => (await h.rolegate.repo.find(revertId(id, 0)))?.status === "FAILED", "the revert to fail");
    await waitFor(() => h.cardText(id).includes("rolegate could not take this access back"), "the card to say so");
    expect(h.cardText(id)).toContain("🚨");
    for (const approver of [APPROVER, SECOND_APPROVER, GROUP_APPROVER]) {
      await waitFor(
        () => h.dmsTo(approver).some((t) => t.includes("rolegate could not take back the Admin access")),
        `a DM to ${approver}`,
      );
    }

    await h.clickOnCard(APPROVER, id, revertId(id, 0));
    await waitFor(() => h.dolfin.roleOf("usr_1") === "member", "the retried revert");
    await waitFor(
      () => h.cardText(id).includes("every member is back in their previous role"),
      "the card to say it ended",
    );
  });
  it("a failed revert of several members updates the card, with a Retry for each, and every approver is told", async () => {
    const id = await grantApplied("set dolfin-acme ada@example.com,bob@example.com admin for 1m incident 42");
    const refused = () => ({
      kind: "error" as const,
      error: forbidden("Caller is not Admin or Owner of this organisation."),
    });
    h.dolfin.nextWrites(refused(), refused());
    await h.click(SECOND_APPROVER, ACTIONS.endEarly, id);

    const both = () =>
      ["ada@example.com", "bob@example.com"].every((member) => h.cardText(id).includes(`Retry revert of ${member}`));
    await waitFor(both, "the card to offer a Retry for each member");
    expect(h.cardText(id)).toContain("rolegate could not take this access back");
    for (const approver of [APPROVER, SECOND_APPROVER, GROUP_APPROVER]) {
      await waitFor(
        () => h.dmsTo(approver).filter((t) => t.includes("rolegate could not take back the Admin access")).length === 2,
        `both DMs to ${approver}`,
      );
    }
    await h.clickOnCard(APPROVER, id, revertId(id, 1));
    await waitFor(() => h.dolfin.roleOf("usr_2") === "member", "the retried revert of the second member");
  });
});

describe("a revert that failed, settled by an approver", () => {
  it("the card offers Take back and Accept as is…; Accept asks for a reason, then the card says who settled it and why, without 🚨", async () => {
    const id = await grantApplied();
    h.dolfin.addMember("usr_1", "ada@example.com", "owner"); // promoted at the vendor meanwhile
    await h.click(SECOND_APPROVER, ACTIONS.endEarly, id);
    await waitFor(() => h.cardText(id).includes("Accept ada@example.com as is…"), "the card to offer Accept");
    expect(h.cardText(id)).toContain("Take back from ada@example.com");
    expect(h.cardText(id)).not.toContain("Retry revert"); // a retry cannot help a state_changed revert

    await h.clickOnCard(APPROVER, id, revertId(id, 0), ACTIONS.acceptRevert);
    await waitFor(() => h.slack.callsTo("views.open").length === 1, "the reason form");
    const viewId = [...h.slack.views.keys()].at(-1)!;
    const empty = await h.submitView(APPROVER, viewId, {
      accept_reason: { accept_reason: { type: "plain_text_input", value: " " } },
    });
    expect(empty.json()).toEqual({
      response_action: "errors",
      errors: { accept_reason: "Say why the role may stay as it is." },
    });
    await h.submitView(APPROVER, viewId, {
      accept_reason: { accept_reason: { type: "plain_text_input", value: "made Owner by the CTO" } },
    });

    await waitFor(() => h.cardText(id).includes("Settled by an approver"), "the card to say it was settled");
    expect(h.cardText(id)).toContain(`ada@example.com: made Owner by the CTO (<@${APPROVER}>)`);
    expect(h.cardText(id)).not.toContain("🚨");
  });
});

describe("ending soon", () => {
  it("the requester is warned an hour before the end, with Extend; the extension is a request of its own on the card", async () => {
    const id = await grantApplied("set dolfin-acme ada@example.com admin for 2h incident 42");
    h.clock.advance(61 * 60_000); // 59 minutes left
    h.rolegate.executor.wake();
    await waitFor(() => h.dmsTo(REQUESTER).some((t) => t.includes(`access of request *${id}* ends`)), "the warning");

    await h.clickInDm(REQUESTER, ACTIONS.extend);
    await waitFor(
      () => h.slack.ephemerals.some((e) => e.text.startsWith("Asked for more time")),
      "the answer to Extend",
    );
    const extension = /request \*([0-9A-Z]{6})\* extends/.exec(h.slack.ephemerals.at(-1)!.text)![1]!;
    await h.noticesDelivered();
    expect(h.cardText(extension)).toMatch(
      new RegExp(
        `An extension: once approved, request ${id} ends 2h later, at <!date\\^\\d+\\^[^>]+>: 4h in all since it was applied`,
      ),
    );
    expect(h.cardText(extension)).toContain("Admin for 2h more");

    await h.click(APPROVER, ACTIONS.approve, extension);
    await waitFor(
      () => h.dmsTo(REQUESTER).some((t) => t.includes(`Request *${id}* was extended`)),
      "the extension to be confirmed",
    );
    expect(h.dolfin.calls).toHaveLength(1);
  });
});
