// A burst against Slack's rate limits: Slack posts about one message per second per channel and
// answers 429 with Retry-After past that. Every card is still posted, exactly once; the requests
// stand in the database from the first moment; Slack's three-second ack is never at risk,
// because nothing a command or click answers waits on the outbox; and a busy channel holds up
// no one else's notices, because a post that is not yet its channel's turn steps aside.
import { describe, expect, it } from "vitest";
import { ACTIONS } from "../../src/slack/action-ids.js";
import {
  APPROVAL_CHANNEL,
  APPROVER,
  REQUESTER,
  SECOND_APPROVER,
  useSlackHarness,
  waitFor,
} from "../support/slack-harness.js";

const h = useSlackHarness("", "", { slackPostIntervalMs: 1_000 });

/** Files `count` requests at once as `user`; returns how long each command took to be acked. */
async function burst(count: number, user: string): Promise<number[]> {
  for (let i = 0; i < count; i++) h.dolfin.addMember(`usr_b${i}`, `b${i}@example.com`, "member");
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const started = Date.now();
      const reply = await h.command(user, `set dolfin-acme b${i}@example.com admin burst ${i}`);
      expect(reply.status).toBe(200);
      return Date.now() - started;
    }),
  );
}

async function everyCardPostedOnce(count: number, within: number) {
  await waitFor(
    async () => (await h.rolegate.history.list({ kind: "all" }, 50, "anyone")).length >= count,
    "every request to be filed",
  );
  const requests = await h.rolegate.history.list({ kind: "all" }, 50, "anyone");
  await waitFor(() => requests.every((r) => h.cardMessage(r.id) !== undefined), "every card to be posted", within);
  for (const request of requests) {
    expect(
      h.slack.messagesIn(APPROVAL_CHANNEL).filter((m) => m.text.includes(`Role change ${request.id}`)),
    ).toHaveLength(1);
  }
  return h.slack.messagesIn(APPROVAL_CHANNEL).map((m) => m.postedAt);
}

describe("a burst past Slack's rate limits", () => {
  it("posts every card exactly once at Slack's pace, acks every command at once, and holds up nobody else's notices", async () => {
    h.slack.postsPerSecond = 1;
    const earlier = await h.fileRequest("set dolfin-acme ada@example.com admin before the burst");

    const acks = await burst(8, SECOND_APPROVER);
    expect(Math.max(...acks)).toBeLessThan(3_000);

    // The burst's cards take about eight seconds to go out; the earlier request's approval does not wait for them.
    const clicked = Date.now();
    expect((await h.click(APPROVER, ACTIONS.approve, earlier)).status).toBe(200);
    await waitFor(() => h.dmsTo(REQUESTER).some((t) => t.startsWith("Done:")), "the earlier request's Done DM", 10_000);
    const doneAt = h.slack.messagesIn(`D${REQUESTER.slice(1)}`).find((m) => m.text.startsWith("Done:"))!.postedAt;
    expect(doneAt - clicked).toBeLessThan(5_000); // two DMs to one person, a second apart: "approved", then "Done"

    const posted = await everyCardPostedOnce(9, 45_000);
    expect(Math.max(...posted) - doneAt).toBeGreaterThan(2_000); // the burst was still going out when the DM came
    await h.noticesDelivered();
    expect(h.dmsTo(SECOND_APPROVER).filter((t) => t.includes("is waiting for approval"))).toHaveLength(8);
    const metrics = await (await fetch(`${h.origin}/metrics`)).text();
    expect(
      Number(/^rolegate_slack_notice_deferrals_total\{notice="filed"\} (\d+)$/m.exec(metrics)?.[1] ?? 0),
    ).toBeGreaterThan(0); // an operator sees the pacing
  }, 60_000);

  it("a Slack that allows less than one a second answers 429 with Retry-After: each card waits that long, and none is lost or doubled", async () => {
    h.slack.postsPerSecond = 0.5;
    const acks = await burst(4, REQUESTER);
    expect(Math.max(...acks)).toBeLessThan(3_000);

    const posted = (await everyCardPostedOnce(4, 45_000)).sort((a, b) => a - b);
    for (let i = 1; i < posted.length; i++) expect(posted[i]! - posted[i - 1]!).toBeGreaterThanOrEqual(1_900);
    expect(h.slack.rateLimited).toBeGreaterThan(0); // Slack did push back
    expect(h.slack.rateLimited).toBeLessThanOrEqual(8); // at most one refusal per post of the burst: nothing hammered it
    await h.noticesDelivered();
    expect(h.dmsTo(REQUESTER).filter((t) => t.includes("is waiting for approval"))).toHaveLength(4);
  }, 60_000);
});
