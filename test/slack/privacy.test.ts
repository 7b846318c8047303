// Section 5 of the trust issue through the real Bolt app: who sees which requests, requests from
// another workspace, and what a person is told when a fault comes after the commit.
import { describe, expect, it } from "vitest";
import { ACTIONS } from "../../src/slack/action-ids.js";
import { WRONG_WORKSPACE_MESSAGE } from "../../src/slack/workspace-guard.js";
import { APPROVER, OUTSIDER, REQUESTER, useSlackHarness, waitFor } from "../support/slack-harness.js";

const FIN_APPROVER = "U0FINAPPR";
// A target with approvers of its own: the global approvers do not approve it.
const h = useSlackHarness(
  `  dolfin-fin: { vendor: dolfin, organization: org-fin, tokenEnv: DOLFIN_TOKEN, approvers: { users: [${FIN_APPROVER}] } }\n`,
);

async function run(text: string, user: string): Promise<string> {
  const before = h.slack.responses.length;
  await h.command(user, text);
  await waitFor(() => h.slack.responses.length > before, `a reply to /role ${text}`);
  return h.lastResponse();
}

async function file(text: string, user: string): Promise<string> {
  const reply = await run(text, user);
  const id = /Request \*([0-9A-Z]{6})\* filed/.exec(reply)?.[1];
  if (!id) throw new Error(`not filed: ${reply}`);
  await h.noticesDelivered();
  return id;
}

describe("who sees which requests", () => {
  it("a person who approves nothing sees only their own requests in /role history, and is told so", async () => {
    const theirs = await file("set dolfin-acme ada@example.com admin on call", OUTSIDER);
    const someoneElses = await file("set dolfin-acme bob@example.com admin on call", REQUESTER);

    const history = await run("history", OUTSIDER);
    expect(history).toContain(theirs);
    expect(history).not.toContain(someoneElses);
    expect(history).toContain("You approve no target, so only your own requests are listed.");

    const byMember = await run("history bob@example.com", OUTSIDER);
    expect(byMember).not.toContain(someoneElses);
  });

  it("/role show of a request that is neither yours nor of a target you approve says there is none you can see", async () => {
    const someoneElses = await file("set dolfin-acme bob@example.com admin on call", REQUESTER);
    const shown = await run(`show ${someoneElses}`, OUTSIDER);
    expect(shown).toBe(
      `There is no request ${someoneElses} that you can see: you see your own requests and those of the targets you approve. \`/role history\` lists them.`,
    );
    expect(shown).not.toContain("bob@example.com");
    expect(await run(`show ${someoneElses}`, APPROVER)).toContain("bob@example.com"); // an approver of dolfin-acme
  });

  it("an approver sees only the requests of the targets they approve, in history and on App Home", async () => {
    const acme = await file("set dolfin-acme ada@example.com admin on call", REQUESTER);
    h.vendors.get("dolfin-fin")!.addMember("usr_f1", "fay@example.com", "member");
    const fin = await file("set dolfin-fin fay@example.com admin month end", REQUESTER);

    const finHistory = await run("history pending", FIN_APPROVER);
    expect(finHistory).toContain(fin);
    expect(finHistory).not.toContain(acme);

    await h.event({ type: "app_home_opened", user: FIN_APPROVER, tab: "home", channel: "D0FINAPPR" });
    await waitFor(() => h.slack.published.has(FIN_APPROVER), "the fin approver's home tab");
    const finHome = JSON.stringify(h.slack.published.get(FIN_APPROVER));
    expect(finHome).toContain("Waiting on me");
    expect(finHome).toContain(fin);
    expect(finHome).not.toContain(acme);

    await h.event({ type: "app_home_opened", user: APPROVER, tab: "home", channel: "D0APPROVE" });
    await waitFor(() => h.slack.published.has(APPROVER), "the acme approver's home tab");
    const acmeHome = JSON.stringify(h.slack.published.get(APPROVER));
    expect(acmeHome).toContain(acme);
    expect(acmeHome).not.toContain(fin);
  });
});

describe("requests from elsewhere", () => {
  it("a command or a click from another workspace is refused and changes nothing", async () => {
    const reply = await h.command(
      REQUESTER,
      "set dolfin-acme ada@example.com admin from elsewhere",
      "C0GENERAL",
      "T0OTHER",
    );
    expect(reply.json()).toMatchObject({ response_type: "ephemeral", text: WRONG_WORKSPACE_MESSAGE });
    expect(await h.rolegate.history.list({ kind: "all" }, 10, "anyone")).toEqual([]);

    const id = await file("set dolfin-acme ada@example.com admin on call", REQUESTER);
    expect((await h.click(APPROVER, ACTIONS.approve, id, "T0OTHER")).status).toBe(200);
    await waitFor(
      () => h.logs.some((l) => l.includes("refused a request from another workspace")),
      "the click to be refused",
    );
    expect(await h.rolegate.repo.find(id)).toMatchObject({ status: "PENDING", approvals: [] });
    expect(h.dolfin.calls).toHaveLength(0);
  });
});

describe("a fault after the commit", () => {
  it("never tells the person that nothing was changed: the request stands, and their DM says what happened", async () => {
    h.slack.failingResponses = 1; // Slack drops the "filed" answer to the command
    await h.command(REQUESTER, "set dolfin-acme ada@example.com admin on call");
    await waitFor(
      async () => (await h.rolegate.history.list({ kind: "all" }, 1, "anyone")).length === 1,
      "the request to be filed",
    );
    const [request] = await h.rolegate.history.list({ kind: "all" }, 1, "anyone");
    await waitFor(
      () => h.dmsTo(REQUESTER).some((t) => t.includes(`Your request *${request!.id}*`)),
      "the requester's DM",
    );
    // The handler has decided what to answer once Slack dropped the reply: it logs that, and says nothing untrue.
    await waitFor(
      () => h.logs.some((l) => l.includes("could not answer /role after the outcome was recorded")),
      "the command's handler to finish",
    );
    const everything = [
      ...h.slack.responses.map((r) => String(r.body.text)),
      ...h.dmsTo(REQUESTER),
      ...h.slack.ephemerals.map((e) => e.text),
    ];
    expect(everything.join("\n")).not.toMatch(/Nothing was changed/i);
  });
});
