// The vendor call goes first: an approval's card redraw and DMs wait until the change it set off
// is on its way to the vendor (src/executor/call-first.ts), and never longer than a moment when
// the vendor is slow.
import { describe, expect, it } from "vitest";
import { ACTIONS } from "../../src/slack/action-ids.js";
import { APPROVER, REQUESTER, useSlackHarness, waitFor } from "../support/slack-harness.js";

// The wait's cap at 1 s rather than 200 ms: the suite runs test files side by side, and on a
// busy machine the order checked here must not hang on how fast this one runs.
const h = useSlackHarness("", "", { httpDolfin: true, noticesWaitMs: 1_000 });

/** The executor's re-read of ada (the approver's own-access lookup asks for another email). */
const readsAda = (r: { method: string; query: URLSearchParams }) =>
  r.method === "GET" && r.query.get("Email") === "ada@example.com";

describe("an approval's vendor call", () => {
  it("reaches the vendor before the approval's notices: when the change arrives, the card and the requester's DMs still show the request as filed", async () => {
    const id = await h.fileRequest("set dolfin-http ada@example.com admin incident 42");
    const updates = () => h.slack.callsTo("chat.update").length;
    const [updatesBefore, dmsBefore] = [updates(), h.dmsTo(REQUESTER).length];
    let atPatch: { updates: number; dms: number } | undefined;
    // Never matches: it only looks at what Slack had been sent when the vendor got the change.
    h.httpDolfin!.failNext({ status: 500 }, (r) => {
      if (r.method === "PATCH") atPatch ??= { updates: updates(), dms: h.dmsTo(REQUESTER).length };
      return false;
    });

    await h.click(APPROVER, ACTIONS.approve, id);
    await waitFor(async () => (await h.rolegate.repo.find(id))?.status === "APPLIED", "the change to be applied");
    await h.noticesDelivered();

    expect(atPatch).toEqual({ updates: updatesBefore, dms: dmsBefore });
    expect(updates()).toBeGreaterThan(updatesBefore);
    expect(h.cardText(id)).toContain(`Request ${id} · applied`);
    expect(h.dmsTo(REQUESTER).slice(dmsBefore).join("\n")).toMatch(/approved/i);
  });

  it("holds the card back no longer than the cap when the vendor is slow to answer: the card says approved long before the change is made", async () => {
    const id = await h.fileRequest("set dolfin-http ada@example.com admin incident 43");
    const updatesBefore = h.slack.callsTo("chat.update").length;
    h.httpDolfin!.failNext({ delayMs: 3_000 }, readsAda);

    const clicked = Date.now();
    await h.click(APPROVER, ACTIONS.approve, id);
    await waitFor(() => h.slack.callsTo("chat.update").length > updatesBefore, "the card to be redrawn", 2_500);
    const redrawnAfterMs = Date.now() - clicked;
    expect(h.cardText(id)).toMatch(/approved; applying shortly|applying now/);
    expect(h.httpDolfin!.writes()).toHaveLength(0); // the vendor has not been asked for the change yet

    await waitFor(
      async () => (await h.rolegate.repo.find(id))?.status === "APPLIED",
      "the change to be applied",
      10_000,
    );
    expect(h.httpDolfin!.writes()).toHaveLength(1);
    expect(redrawnAfterMs).toBeLessThan(2_000); // the cap (1 s here), not the vendor's 3 s
  });
});
