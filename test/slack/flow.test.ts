// The whole flow through the real Bolt app over HTTP: file, card, decide, apply, tell.
import { describe, expect, it } from "vitest";
import { ACTIONS } from "../../src/slack/action-ids.js";
import { VendorError } from "../../src/vendors/errors.js";
import {
  APPROVAL_CHANNEL,
  APPROVER,
  OUTSIDER,
  REQUESTER,
  SECOND_APPROVER,
  useSlackHarness,
  waitFor,
} from "../support/slack-harness.js";

const h = useSlackHarness();

async function fileByCommand(text = "set dolfin-acme ada@example.com admin on call this week"): Promise<string> {
  const before = h.slack.responses.length;
  const reply = await h.command(REQUESTER, text);
  expect(reply.status).toBe(200);
  await waitFor(() => h.slack.responses.length > before, "the filing reply");
  const filed = /Request \*([0-9A-Z]{6})\* filed/.exec(h.lastResponse());
  if (!filed) throw new Error(`not filed: ${h.lastResponse()}`);
  await h.noticesDelivered(); // the card is posted after the commit
  return filed[1]!;
}

describe("filing by command, approving, applying", () => {
  it("posts a card with the current role, applies once on approval, updates the card and tells the requester", async () => {
    const first = await h.command(REQUESTER, "set dolfin-acme ada@example.com admin on call this week");
    // The immediate answer comes before any vendor lookup, within Slack's three seconds.
    expect(first.json()).toMatchObject({
      response_type: "ephemeral",
      text: "Reading the current role in dolfin-acme…",
    });

    await waitFor(() => h.lastResponse().includes("filed"), "the filing reply");
    const id = /Request \*([0-9A-Z]{6})\*/.exec(h.lastResponse())![1]!;
    expect(h.lastResponse()).toContain(`approvers have been asked in <#${APPROVAL_CHANNEL}>`);

    await h.noticesDelivered(); // the card and the DM go out after the commit
    const card = h.cardText(id);
    expect(card).toContain(`<@${REQUESTER}>`);
    expect(card).toContain("dolfin-acme (dolfin · org-acme)");
    expect(card).toContain("ada@example.com: Member → *Admin*");
    expect(card).toContain("on call this week");
    expect(card).toContain("0 of 1");
    expect(card).toContain(`Request ${id}`);
    expect(h.cardMessage(id)!.blocks.some((b) => (b as { type: string }).type === "actions")).toBe(true);
    expect(h.dmsTo(REQUESTER).at(-1)).toContain(`Your request *${id}*`);
    expect(h.dmsTo(REQUESTER).at(-1)).toContain("waiting for approval");

    expect((await h.click(APPROVER, ACTIONS.approve, id)).status).toBe(200);
    await waitFor(async () => (await h.rolegate.repo.find(id))?.status === "APPLIED", "the change to be applied");
    await waitFor(() => h.cardText(id).includes(`${id}: applied`), "the card to show it applied");

    expect(h.dolfin.calls).toHaveLength(1);
    expect(h.dolfin.roleOf("usr_1")).toBe("admin");
    const applied = h.cardMessage(id)!;
    expect(FakeText(applied)).toContain("✅ Role change");
    expect(FakeText(applied)).toContain(`<@${APPROVER}>`);
    expect(applied.blocks.some((b) => (b as { type: string }).type === "actions")).toBe(false); // nothing left to decide
    expect(h.slack.messagesIn(APPROVAL_CHANNEL)).toHaveLength(1); // one card, edited in place
    await waitFor(() => h.dmsTo(REQUESTER).some((t) => t.startsWith("Done:")), "the requester to be told");
    expect(h.dmsTo(REQUESTER).join("\n")).toContain(`was approved by <@${APPROVER}>`);
  });

  it("names members by @mention, resolving them to their email, and shows an unreadable role as unknown", async () => {
    h.dolfin.addMember("usr_9", "ada2@example.com", "member");
    h.slack.users.set("U0ADA2222", "ada2@example.com");
    const id = await fileByCommand("set dolfin-acme <@U0ADA2222|ada2> admin needs it");
    expect(h.cardText(id)).toContain("ada2@example.com: Member → *Admin*");

    h.dolfin.readError = new VendorError({ kind: "unavailable", message: "Service Unavailable" });
    const other = await fileByCommand("set dolfin-acme bob@example.com admin needs it");
    expect(h.cardText(other)).toContain("bob@example.com: _unknown: Service Unavailable_ → *Admin*");
  });
});

describe("denying, cancelling, expiring", () => {
  it("deny opens a form for a reason; the card and the requester show who denied and why", async () => {
    const id = await fileByCommand();
    await h.click(APPROVER, ACTIONS.deny, id);
    await waitFor(() => h.slack.callsTo("views.open").length === 1, "the deny form");
    const viewId = [...h.slack.views.keys()].at(-1)!;

    const submitted = await h.submitView(APPROVER, viewId, {
      deny_reason: { deny_reason: { type: "plain_text_input", value: "not during the <!channel> freeze" } },
    });
    expect(submitted.status).toBe(200);
    await waitFor(() => h.cardText(id).includes("denied by"), "the card to show the deny");

    expect(h.cardText(id)).toContain(`denied by <@${APPROVER}>`);
    expect(h.cardText(id)).toContain("not during the &lt;!channel&gt; freeze"); // escaped: no broadcast
    await waitFor(() => h.dmsTo(REQUESTER).some((t) => t.includes("was denied")), "the requester DM");
    expect(h.dmsTo(REQUESTER).at(-1)).toContain(
      `was denied by <@${APPROVER}>: “not during the &lt;!channel&gt; freeze”`,
    );
    expect(h.dolfin.calls).toHaveLength(0);
  });

  it("the requester cancels with /role cancel; the card says so and loses its buttons", async () => {
    const id = await fileByCommand();
    await h.command(REQUESTER, `cancel ${id.toLowerCase()}`);
    await waitFor(() => h.lastResponse().includes("cancelled"), "the cancel reply");
    expect(h.lastResponse()).toBe(`Request *${id}* is cancelled.`);
    await waitFor(() => h.cardText(id).includes("cancelled by"), "the card update");
    expect(h.cardMessage(id)!.blocks.some((b) => (b as { type: string }).type === "actions")).toBe(false);
  });

  it("someone else's cancel is refused in words and changes nothing", async () => {
    const id = await fileByCommand();
    await h.command(APPROVER, `cancel ${id}`);
    await waitFor(() => h.lastResponse().includes("Only the person"), "the refusal");
    expect(h.lastResponse()).toBe("Only the person who filed this request can cancel it.");
    expect((await h.rolegate.repo.find(id))?.status).toBe("PENDING");
  });

  it("an undecided request expires after pendingTtl: card and requester are told", async () => {
    const id = await fileByCommand();
    h.clock.advance(24 * 3_600_000 + 1);
    h.rolegate.executor.wake();
    await waitFor(() => h.cardText(id).includes("expired"), "the card to expire", 10_000);
    expect(h.cardMessage(id)!.blocks.some((b) => (b as { type: string }).type === "actions")).toBe(false);
    await waitFor(() => h.dmsTo(REQUESTER).some((t) => t.includes("expired without a decision")), "the requester DM");
  });
});

describe("Slack down or hung", () => {
  it("delays the card and the DMs, never the role change; they arrive once Slack answers again", async () => {
    const id = await fileByCommand();
    h.slack.stall("chat.update"); // Slack takes the calls and never answers
    h.slack.stall("chat.postMessage");

    await h.click(APPROVER, ACTIONS.approve, id);
    await waitFor(
      async () => (await h.rolegate.repo.find(id))?.status === "APPLIED",
      "the change to be applied while Slack hangs",
    );
    expect(h.dolfin.roleOf("usr_1")).toBe("admin");
    expect(h.cardText(id)).toContain(`${id}: waiting for approval`); // the card could not be told yet

    h.slack.release();
    await waitFor(() => h.cardText(id).includes(`${id}: applied`), "the card to catch up");
    await waitFor(() => h.dmsTo(REQUESTER).some((t) => t.startsWith("Done:")), "the requester to be told");
    expect(h.dolfin.calls).toHaveLength(1);
    expect(h.slack.messagesIn(APPROVAL_CHANNEL)).toHaveLength(1); // still one card
  });

  it("a Slack that refuses the notices delays them too; they are sent again until it takes them", async () => {
    const id = await fileByCommand();
    const down = () => ({ ok: false, error: "service_unavailable" });
    h.slack.on("chat.update", down);
    h.slack.on("chat.postMessage", down);

    await h.click(APPROVER, ACTIONS.approve, id);
    await waitFor(
      async () => (await h.rolegate.repo.find(id))?.status === "APPLIED",
      "the change to be applied while Slack is down",
    );
    await waitFor(() => h.slack.callsTo("chat.update").length >= 2, "a few refused deliveries");
    expect(h.cardText(id)).toContain(`${id}: waiting for approval`);

    h.slack.restore("chat.update");
    h.slack.restore("chat.postMessage");
    await waitFor(() => h.cardText(id).includes(`${id}: applied`), "the card to catch up");
    await waitFor(() => h.dmsTo(REQUESTER).some((t) => t.startsWith("Done:")), "the requester to be told");
  });
});

describe("a failed change", () => {
  it("shows the vendor's own words on the card; an approver's Retry applies it", async () => {
    h.dolfin.nextWrites({
      kind: "error",
      error: new VendorError({
        kind: "forbidden",
        message: "You cannot change the role of the last owner",
        vendorCode: "User.LastOwner",
        httpStatus: 409,
      }),
    });
    const id = await fileByCommand();
    await h.click(APPROVER, ACTIONS.approve, id);
    await waitFor(() => h.cardText(id).includes(`${id}: failed`), "the card to show the failure");
    expect(h.cardText(id)).toContain("failed: You cannot change the role of the last owner (code User.LastOwner)");
    await waitFor(() => h.dmsTo(REQUESTER).some((t) => t.includes("could not be applied")), "the requester DM");

    await h.click(REQUESTER, ACTIONS.retry, id);
    await waitFor(() => h.slack.ephemerals.length === 1, "the requester's retry refused");
    expect(h.slack.ephemerals[0]!.text).toBe("You can't retry your own request; another approver has to.");

    await h.click(SECOND_APPROVER, ACTIONS.retry, id);
    await waitFor(() => h.cardText(id).includes(`${id}: applied`), "the retried change to apply");
    expect(h.dolfin.calls).toHaveLength(2);
    expect(h.dolfin.roleOf("usr_1")).toBe("admin");
  });
});

describe("refused clicks", () => {
  it("a non-approver, the requester, and a second click are each refused by an ephemeral message and an audit row", async () => {
    const id = await fileByCommand();
    await h.click(OUTSIDER, ACTIONS.approve, id);
    await waitFor(() => h.slack.ephemerals.length === 1, "the first refusal");
    await h.click(REQUESTER, ACTIONS.approve, id);
    await waitFor(() => h.slack.ephemerals.length === 2, "the second refusal");
    expect(h.slack.ephemerals).toEqual([
      { channel: APPROVAL_CHANNEL, user: OUTSIDER, text: "Only approvers for this target can approve requests." },
      {
        channel: APPROVAL_CHANNEL,
        user: REQUESTER,
        text: "You can't approve your own request; another approver has to decide it.",
      },
    ]);

    await h.click(APPROVER, ACTIONS.approve, id);
    await waitFor(async () => (await h.rolegate.repo.find(id))?.status === "APPLIED", "applied");
    await h.click(SECOND_APPROVER, ACTIONS.approve, id);
    await waitFor(() => h.slack.ephemerals.length === 3, "the third refusal");
    expect(h.slack.ephemerals[2]).toEqual({
      channel: APPROVAL_CHANNEL,
      user: SECOND_APPROVER,
      text: "Nothing to decide: this request was already applied.",
    });

    const trail = await h.rolegate.history.auditTrail(id);
    expect(trail.filter((e) => e.type === "REFUSED").map((e) => [e.actor, e.details.code])).toEqual([
      [OUTSIDER, "not_approver"],
      [REQUESTER, "self_approval"],
      [SECOND_APPROVER, "already_decided"],
    ]);
    expect(h.dolfin.calls).toHaveLength(1);
  });

  it("an approver who asked a colleague to file a change of her own role is refused on the card, in words", async () => {
    h.slack.users.set(APPROVER, "ada@example.com"); // the approver is Ada
    const id = await fileByCommand("set dolfin-acme ada@example.com owner promote me please");
    await h.click(APPROVER, ACTIONS.approve, id);
    await waitFor(() => h.slack.ephemerals.length === 1, "the refusal");
    expect(h.slack.ephemerals[0]).toEqual({
      channel: APPROVAL_CHANNEL,
      user: APPROVER,
      text: "You can't approve this request: it changes your own access (ada@example.com). Another approver has to decide it.",
    });
    expect(await h.rolegate.repo.find(id)).toMatchObject({ status: "PENDING", approvals: [] });
    expect(h.cardText(id)).toContain("0 of 2");
  });

  it("a member whose role a request lowers is refused on Deny… at once, in words, and no form opens", async () => {
    h.dolfin.addMember("usr_3", "cy@example.com", "owner");
    h.slack.users.set(APPROVER, "cy@example.com"); // the approver is Cy, the Owner being lowered
    const id = await fileByCommand("set dolfin-acme cy@example.com member handing over ownership");
    await h.click(APPROVER, ACTIONS.deny, id);
    await waitFor(() => h.slack.ephemerals.length === 1, "the refusal");
    expect(h.slack.ephemerals[0]!.text).toContain(
      "You can't deny this: it would leave you (cy@example.com) with more access than the alternative.",
    );
    expect(h.slack.callsTo("views.open")).toHaveLength(0);
    expect(await h.rolegate.repo.find(id)).toMatchObject({ status: "PENDING" });
  });

  it("20 concurrent Approve clicks give one vendor call", async () => {
    const approvers = Array.from({ length: 20 }, (_, i) => `U0CLICK${String(i).padStart(2, "0")}`);
    h.slack.usergroups.set("S0ADMINS1", approvers);
    for (const a of approvers) h.slack.users.set(a, `${a.toLowerCase()}@example.com`);
    const id = await fileByCommand();

    const replies = await Promise.all(approvers.map((a) => h.click(a, "rolegate_approve", id)));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    await waitFor(async () => (await h.rolegate.repo.find(id))?.status === "APPLIED", "applied");
    await waitFor(() => h.slack.ephemerals.length === 19, "19 refusals");

    expect(h.dolfin.calls).toHaveLength(1);
    expect((await h.rolegate.repo.find(id))?.approvals).toHaveLength(1);
    // Each loser hears why, in words, whichever state the request had reached by its turn.
    for (const e of h.slack.ephemerals)
      expect(e.text).toMatch(/^Nothing to decide: this request was already (approved|being applied|applied)\.$/);
  });
});

describe("Slack's signature", () => {
  it("a bad or stale signature gets 401 and does nothing", async () => {
    const body = new URLSearchParams({
      command: "/role",
      text: "set dolfin-acme ada@example.com admin x",
      user_id: REQUESTER,
      response_url: h.slack.responseUrl(),
    }).toString();
    expect((await h.post(body, "application/x-www-form-urlencoded", { secret: "not-the-secret" })).status).toBe(401);
    expect(
      (await h.post(body, "application/x-www-form-urlencoded", { timestamp: Math.floor(Date.now() / 1000) - 10 * 60 }))
        .status,
    ).toBe(401);
    expect(await h.rolegate.history.list({ kind: "all" }, 10, "anyone")).toEqual([]);
  });
});

function FakeText(message: { text: string; blocks: unknown[] }): string {
  return [message.text, JSON.stringify(message.blocks)].join("\n");
}
