// Changes made outside rolegate, end to end through signed Slack requests and the fake Slack
// API (which refuses what real Slack refuses): /role sync finds the change, its card reaches the
// approval channel, Keep asks for a reason and redraws the card, /role who shows the ledger, and
// someone who approves nothing is told these are for approvers.
import { describe, expect, it } from "vitest";
import { ACTIONS, FORM } from "../../src/slack/action-ids.js";
import { FakeSlackApi } from "../support/fake-slack-api.js";
import { APPROVAL_CHANNEL, APPROVER, OUTSIDER, useSlackHarness, waitFor } from "../support/slack-harness.js";

const h = useSlackHarness();

const synced = async (outcome = "complete") =>
  (await h.database.prisma.inventoryTarget.findUnique({ where: { target: "dolfin-acme" } }))?.lastOutcome === outcome;
const alertCard = () => h.slack.messagesIn(APPROVAL_CHANNEL).find((m) => m.text.includes("outside rolegate"));

async function command(user: string, text: string): Promise<string> {
  const before = h.slack.responses.length;
  await h.command(user, text);
  await waitFor(() => h.slack.responses.length > before, `the reply to /role ${text}`);
  return h.lastResponse();
}

describe("a change made at the vendor", () => {
  it("is found by /role sync, posted as a card, kept with a reason, and shown by /role who", async () => {
    await waitFor(() => synced(), "the first sync at start (the baseline)");
    h.dolfin.addMember("usr_1", "ada@example.com", "owner"); // made Owner in Dolfin itself
    h.clock.advance(60_000);

    expect(await command(APPROVER, "sync dolfin-acme")).toContain("Reading dolfin-acme's members from the vendor now");
    await waitFor(() => alertCard() !== undefined, "the card in the approval channel");
    const card = alertCard()!;
    expect(card.text).toContain("ada@example.com* became *Owner* in dolfin-acme outside rolegate");
    expect(FakeSlackApi.textOf(card)).toContain("Revert to Member");
    await waitFor(() => h.dmsTo(APPROVER).some((t) => t.startsWith("Synced dolfin-acme: 2 members")), "the DM");

    const change = (await h.database.prisma.outsideChange.findFirstOrThrow()).id.toString();
    const keep = (card.blocks as { elements?: { action_id?: string }[] }[])
      .flatMap((b) => b.elements ?? [])
      .find((e) => e.action_id?.startsWith(ACTIONS.keepOutside))!.action_id!;
    await h.clickOnMessage(APPROVER, card, keep, change);
    await waitFor(() => h.slack.views.size > 0, "the Keep form");
    const [viewId] = [...h.slack.views.keys()];
    await h.submitView(APPROVER, viewId!, {
      [FORM.keepReason.block]: { [FORM.keepReason.action]: { type: "plain_text_input", value: "covering for cy" } },
    });
    await waitFor(() => FakeSlackApi.textOf(alertCard()!).includes("Kept by"), "the card to be redrawn");
    expect(FakeSlackApi.textOf(alertCard()!)).toContain("covering for cy");
    expect(h.slack.messagesIn(APPROVAL_CHANNEL).filter((m) => m.text.includes("outside rolegate"))).toHaveLength(1);

    const who = await command(APPROVER, "who dolfin-acme");
    expect(who).toContain("Who holds what in dolfin-acme");
    expect(who).toMatch(/Owner\*? 🔑 \(1\)[\s\S]*ada@example.com — changed outside rolegate, kept by <@U0APPROVE>/);
    expect(who).toContain("bob@example.com — held before rolegate");
    const owners = await command(APPROVER, "who dolfin-acme owner");
    expect(owners).toContain("Who holds what in dolfin-acme (owner)");
    expect(owners).not.toContain("bob@example.com");

    const home = await h.openHome(APPROVER);
    expect(home).toContain("Who holds what");
    expect(home).toMatch(/dolfin-acme\*: Owner 1/);
  });

  it("/role who and /role sync are for the target's approvers; a target that does not exist is named", async () => {
    expect(await command(OUTSIDER, "who dolfin-acme")).toContain(
      "Only dolfin-acme's approvers may see who holds what there.",
    );
    expect(await command(OUTSIDER, "sync dolfin-acme")).toContain("Only dolfin-acme's approvers may sync it there.");
    const reply = await h.command(APPROVER, "sync nowhere");
    expect(reply.body).toContain('\\"nowhere\\" is not a target');
  });
});
