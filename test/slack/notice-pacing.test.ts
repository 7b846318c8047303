// One notice, several DMs: a grant rolegate could not take back is DMed to its requester and
// every approver. When one of them is not yet due a message (Slack's pace per channel), the
// notice steps aside before sending any, so nobody gets the warning twice when it comes back.
import { describe, expect, it } from "vitest";
import { webApi } from "@slack/bolt";
import { ApprovalPolicy } from "../../src/requests/approval-policy.js";
import { revertId } from "../../src/requests/store/reverts.js";
import { ACTIONS } from "../../src/slack/action-ids.js";
import { SlackNotifier } from "../../src/slack/slack-notifier.js";
import { SlackPacer } from "../../src/slack/slack-pacer.js";
import { SlackUsergroupDirectory } from "../../src/slack/usergroup-directory.js";
import { APPROVER, BOT_TOKEN, REQUESTER, SECOND_APPROVER, useSlackHarness, waitFor } from "../support/slack-harness.js";

const h = useSlackHarness("", "", { httpDolfin: true });

describe("a notice for several people", () => {
  it("waits until every recipient's turn before sending any DM, so each gets the warning once", async () => {
    const id = await h.fileRequest("set dolfin-http ada@example.com admin for 1m incident 42");
    await h.click(APPROVER, ACTIONS.approve, id);
    await waitFor(async () => (await h.rolegate.repo.find(id))?.status === "APPLIED", "the grant to be applied");
    h.httpDolfin!.users.get("u-ada")!.role = "Owner"; // the revert will find the role changed, and fail
    h.clock.advance(61_000);
    h.rolegate.executor.wake();
    await waitFor(async () => (await h.rolegate.repo.find(revertId(id, 0)))?.status === "FAILED", "the revert to fail");
    await h.noticesDelivered();
    const warned = (user: string) => h.dmsTo(user).filter((t) => t.includes("could not take back")).length;
    const before = new Map([REQUESTER, APPROVER, SECOND_APPROVER].map((u) => [u, warned(u)]));

    // The same notice delivered again by a notifier whose pacer has just given SECOND_APPROVER's DM channel to someone else.
    const clock = { now: Date.now() };
    const pacer = new SlackPacer(1_000, () => clock.now);
    pacer.turn(SECOND_APPROVER, "another notice");
    const client = new webApi.WebClient(BOT_TOKEN, {
      slackApiUrl: h.slack.url,
      rejectRateLimitedCalls: true,
      retryConfig: { retries: 0 },
    });
    const policy = new ApprovalPolicy(h.config, new SlackUsergroupDirectory(client, h.clock.now));
    const notifier = new SlackNotifier({
      client,
      repo: h.rolegate.repo,
      history: h.rolegate.history,
      policy,
      config: h.config,
      pacer,
    });
    const notice = {
      type: "failed" as const,
      request: (await h.rolegate.repo.find(revertId(id, 0)))!,
      actor: "rolegate",
      deliveryId: "900001",
    };

    const stepped = await notifier.notify(notice);
    expect(stepped).toMatchObject({ kind: "later", afterMs: 1_000 });
    for (const [user, count] of before) expect(warned(user)).toBe(count); // nobody was told yet

    clock.now += 1_000; // its turn: the notice comes back
    await notifier.notify(notice);
    for (const [user, count] of before) expect(warned(user)).toBe(count + 1);
  });
});
