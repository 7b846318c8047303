// Per-target routing and naming: a target's cards go to its own channel, and the requester is
// told who can approve, by name.
import { describe, expect, it } from "vitest";
import { REQUESTER, useSlackHarness, waitFor } from "../support/slack-harness.js";

const h = useSlackHarness(
  "  dolfin-fin: { vendor: dolfin, organization: org-fin, tokenEnv: DOLFIN_TOKEN, approvalChannel: C0FINANCE1, approvers: { users: [U0FINAPPR], usergroups: [S0FINANCE] }, maxDuration: { default: 1d } }\n",
);

describe("policy in Slack", () => {
  it("a target's cards go to its own approval channel, and the requester is told who can approve, by name", async () => {
    h.vendors.get("dolfin-fin")!.addMember("usr_f1", "fay@example.com", "member");
    const before = h.slack.responses.length;
    await h.command(REQUESTER, "set dolfin-fin fay@example.com admin for 4h month-end close");
    await waitFor(() => h.slack.responses.length > before, "the filing reply");
    expect(h.lastResponse()).toContain("approvers have been asked in <#C0FINANCE1>");
    const id = /Request \*([0-9A-Z]{6})\* filed/.exec(h.lastResponse())![1]!;
    await h.noticesDelivered();

    expect(h.slack.messagesIn("C0FINANCE1").map((m) => m.text)).toEqual([expect.stringContaining(`Role change ${id}`)]);
    expect(h.slack.messagesIn("C0APPROVALS")).toHaveLength(0);
    expect(h.dmsTo(REQUESTER).at(-1)).toContain("Who can approve: <@U0FINAPPR> or <!subteam^S0FINANCE>.");
  });

  it("a grant longer than the target allows is refused at once, naming the limit", async () => {
    h.vendors.get("dolfin-fin")!.addMember("usr_f1", "fay@example.com", "member");
    const before = h.slack.responses.length;
    await h.command(REQUESTER, "set dolfin-fin fay@example.com admin for 3d month-end close");
    await waitFor(() => h.slack.responses.length > before, "the reply");
    expect(h.lastResponse()).toBe(
      "Nothing was filed: Admin in dolfin-fin can be granted for at most 1d; you asked for 3d.",
    );
    expect(h.vendors.get("dolfin-fin")!.reads).toEqual([]); // refused before any member lookup
  });
});

describe("chasing an undecided request", () => {
  const chased = useSlackHarness(
    "  dolfin-ops: { vendor: dolfin, organization: org-ops, tokenEnv: DOLFIN_TOKEN, approvers: { users: [U0OPSAPPR] }, escalateTo: { usergroups: [S0OPSLEAD] }, escalateAfter: 2h }\n",
    "remindAfter: 1h\n",
  );

  it("reminds in the card's thread, naming who can decide, and escalates after escalateAfter", async () => {
    chased.vendors.get("dolfin-ops")!.addMember("usr_o1", "oz@example.com", "member");
    const before = chased.slack.responses.length;
    await chased.command(REQUESTER, "set dolfin-ops oz@example.com admin deploy freeze");
    await waitFor(() => chased.slack.responses.length > before, "the filing reply");
    const id = /Request \*([0-9A-Z]{6})\* filed/.exec(chased.lastResponse())![1]!;
    await chased.noticesDelivered();
    const card = chased.cardMessage(id)!;

    chased.clock.advance(61 * 60_000);
    chased.rolegate.executor.wake();
    const replies = () => chased.slack.messagesIn("C0APPROVALS").filter((m) => m.thread === card.ts);
    await waitFor(() => replies().some((m) => m.text.startsWith("⏰ Still waiting")), "the reminder");
    expect(replies()[0]!.text).toContain("<@U0OPSAPPR>");

    chased.clock.advance(60 * 60_000);
    chased.rolegate.executor.wake();
    await waitFor(() => replies().some((m) => m.text.startsWith("⏫")), "the escalation");
    expect(replies().find((m) => m.text.startsWith("⏫"))!.text).toContain(
      "<!subteam^S0OPSLEAD> may decide it now too",
    );
    await waitFor(() => chased.cardText(id).includes("Escalated"), "the card to say who can decide now");
  });
});
