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
    expect(h.lastResponse()).toBe("Nothing was filed: Admin in dolfin-fin can be granted for at most 1d; you asked for 3d.");
    expect(h.vendors.get("dolfin-fin")!.reads).toEqual([]); // refused before any member lookup
  });
});
