// A card is posted once, and no copy of it keeps a stale state with live buttons. Slack carrying
// out a post whose answer is lost (the connection reset, a timeout) is a real network fault
// here: the fake Slack takes the message, then resets the connection instead of answering.
import { describe, expect, it } from "vitest";
import { webApi } from "@slack/bolt";
import { ACTIONS } from "../../src/slack/action-ids.js";
import { CARD_EVENT, findPostedCards } from "../../src/slack/posted-cards.js";
import { FakeSlackApi } from "../support/fake-slack-api.js";
import {
  APPROVAL_CHANNEL,
  APPROVER,
  BOT_TOKEN,
  REQUESTER,
  useSlackHarness,
  waitFor,
} from "../support/slack-harness.js";

const h = useSlackHarness();

async function file(): Promise<string> {
  await h.command(REQUESTER, "set dolfin-acme ada@example.com admin on call this week");
  await waitFor(() => h.lastResponse().includes("filed"), "the filing reply");
  return /Request \*([0-9A-Z]{6})\*/.exec(h.lastResponse())![1]!;
}

const hasButtons = (m: { blocks: unknown[] }) => m.blocks.some((b) => (b as { type: string }).type === "actions");

describe("a card whose post Slack carried out but whose answer was lost", () => {
  it("is found by its metadata on the retry and edited, never posted again; it is the card that stays live", async () => {
    h.slack.loseAnswers("chat.postMessage", 1); // the card's post
    const id = await file();
    await h.noticesDelivered();

    const cards = h.slack.messagesIn(APPROVAL_CHANNEL);
    expect(cards).toHaveLength(1);
    expect(h.slack.callsTo("chat.postMessage").filter((c) => c.params.channel === APPROVAL_CHANNEL)).toHaveLength(1);
    expect(h.slack.callsTo("conversations.history")).toHaveLength(1);
    expect((await h.rolegate.repo.find(id))?.card).toEqual({ channel: APPROVAL_CHANNEL, ts: cards[0]!.ts });

    await h.click(APPROVER, ACTIONS.approve, id);
    await waitFor(() => h.cardText(id).includes(`${id}: applied`), "the card to show it applied");
    expect(h.slack.messagesIn(APPROVAL_CHANNEL)).toHaveLength(1);
    expect(h.dolfin.calls).toHaveLength(1);
  });

  it("posted twice where Slack refuses the lookup (an app without channels:history): the copy is retired at its first click, which still counts", async () => {
    h.slack.on("conversations.history", () => ({ ok: false, error: "missing_scope" }));
    h.slack.loseAnswers("chat.postMessage", 1);
    const id = await file();
    await h.noticesDelivered();
    const [copy, card] = h.slack.messagesIn(APPROVAL_CHANNEL);
    expect((await h.rolegate.repo.find(id))?.card?.ts).toBe(card!.ts);
    expect(hasButtons(copy!)).toBe(true);

    // An approver clicks Approve on the copy nobody updates.
    await h.clickOnMessage(APPROVER, copy, ACTIONS.approve, id);
    await waitFor(
      () =>
        h.cardText(id).includes(`${id}: applied`) &&
        !hasButtons(h.slack.messages.get(`${APPROVAL_CHANNEL}/${copy!.ts}`)!),
      "the card applied and the copy retired",
    );
    const retired = h.slack.messages.get(`${APPROVAL_CHANNEL}/${copy!.ts}`)!;
    expect(FakeSlackApi.textOf(retired)).toContain(`This is a copy of the card for request ${id}`);
    expect(FakeSlackApi.textOf(retired)).toContain(`p${card!.ts.replace(".", "")}`);
    expect(h.dolfin.calls).toHaveLength(1);
  });

  it("is looked for among this app's own messages only: another app's message with the same metadata is never taken for the card", async () => {
    const client = new webApi.WebClient(BOT_TOKEN, { slackApiUrl: h.slack.url, retryConfig: { retries: 0 } });
    const request = { id: "ABC123", createdAt: new Date(Date.now() - 1_000) };
    const metadata = { event_type: CARD_EVENT, event_payload: { request: request.id } };
    // Another app in the workspace posts a look-alike first…
    h.slack.messages.set(`${APPROVAL_CHANNEL}/${Math.floor(Date.now() / 1000)}.000001`, {
      channel: APPROVAL_CHANNEL,
      ts: `${Math.floor(Date.now() / 1000)}.000001`,
      text: `Role change ${request.id}`,
      blocks: [],
      updates: 0,
      postedAt: Date.now(),
      botId: "B0OTHERAPP",
      metadata,
    });
    // …then rolegate's own card.
    const ours = await client.chat.postMessage({
      channel: APPROVAL_CHANNEL,
      text: `Role change ${request.id}`,
      metadata,
    });

    expect(await findPostedCards(client, APPROVAL_CHANNEL, request, "B0ROLEGATE")).toEqual([ours.ts]);
  });
});
