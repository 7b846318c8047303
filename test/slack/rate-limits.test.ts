// A burst against Slack's rate limits: Slack posts about one message per second per channel and
// answers 429 with Retry-After past that. Every card is still posted, exactly once; the requests
// stand in the database from the first moment; and Slack's three-second ack is never at risk,
// because nothing a command or click answers waits on the outbox.
import { describe, expect, it } from "vitest";
import { APPROVAL_CHANNEL, REQUESTER, useSlackHarness, waitFor } from "../support/slack-harness.js";

const h = useSlackHarness();
const BURST = 8;

describe("a burst past Slack's rate limits", () => {
  it("posts every card exactly once, honouring 429 and Retry-After, while every command is acked at once", async () => {
    h.slack.postsPerSecond = 1;
    for (let i = 0; i < BURST; i++) h.dolfin.addMember(`usr_b${i}`, `b${i}@example.com`, "member");

    const acks = await Promise.all(
      Array.from({ length: BURST }, async (_, i) => {
        const started = Date.now();
        const reply = await h.command(REQUESTER, `set dolfin-acme b${i}@example.com admin burst ${i}`);
        expect(reply.status).toBe(200);
        return Date.now() - started;
      }),
    );
    expect(Math.max(...acks)).toBeLessThan(3_000);
    await waitFor(async () => (await h.rolegate.repo.history({ kind: "all" }, 50, "anyone")).length === BURST, "every request to be filed");

    const requests = await h.rolegate.repo.history({ kind: "all" }, 50, "anyone");
    await waitFor(() => requests.every((r) => h.cardMessage(r.id) !== undefined), "every card to be posted", 45_000);
    for (const request of requests) {
      expect(h.slack.messagesIn(APPROVAL_CHANNEL).filter((m) => m.text.includes(`Role change ${request.id}`))).toHaveLength(1);
    }
    expect(h.slack.rateLimited).toBeGreaterThan(0); // Slack did push back
    await h.noticesDelivered();
    expect(h.dmsTo(REQUESTER).filter((t) => t.includes("is waiting for approval"))).toHaveLength(BURST);
  }, 60_000);
});
