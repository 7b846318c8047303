// A click that the database could not take — the server restarting or stopped — is acknowledged
// to Slack in time, and the person is told it was not recorded, so nobody waits on a card that
// will never move. Once the database is back, the same click works.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ACTIONS } from "../../src/slack/action-ids.js";
import { useProxiedDatabase } from "../support/database.js";
import { APPROVER, REQUESTER, SlackHarness, waitFor } from "../support/slack-harness.js";

const h = new SlackHarness();
const t = useProxiedDatabase("the database server is stopped under a click");
beforeEach(async () => {
  await h.start(t.database);
});
afterEach(async () => {
  await t.database.proxy.start();
  await h.stop();
});

describe("a click while the database is away", () => {
  it("is acknowledged, the clicker is told it was not recorded, and the same click works once the database is back", async () => {
    await h.command(REQUESTER, "set dolfin-acme ada@example.com admin on call this week");
    await waitFor(() => h.lastResponse().includes("filed"), "the filing reply");
    const id = /Request \*([0-9A-Z]{6})\*/.exec(h.lastResponse())![1]!;
    await h.noticesDelivered();

    await t.database.proxy.stop();
    expect((await h.click(APPROVER, ACTIONS.approve, id)).status).toBe(200);
    await waitFor(
      () => h.slack.ephemerals.some((e) => e.user === APPROVER && e.text.includes("click was not recorded")),
      "the clicker to be told",
    );
    expect(h.slack.ephemerals.find((e) => e.user === APPROVER)?.text).toContain("click again");

    await t.database.proxy.start();
    await h.click(APPROVER, ACTIONS.approve, id);
    await waitFor(async () => (await h.rolegate.repo.find(id))?.status === "APPLIED", "the change to be applied");
    expect(h.dolfin.calls).toHaveLength(1);
  });
});
