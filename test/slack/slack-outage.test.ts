// Slack's Web API down never turns a command away. A replica that starts during the outage
// starts anyway, answers each command at once in the acknowledgement itself (which needs no Web
// API call) saying it is starting, stays ready for the load balancer, reports Slack's state on
// /readyz and /metrics, and serves as soon as Slack answers again.
import { describe, expect, it } from "vitest";
import { STARTING_MESSAGE } from "../../src/slack/workspace-guard.js";
import { ACTIONS } from "../../src/slack/action-ids.js";
import { APPROVER, REQUESTER, useSlackHarness, waitFor } from "../support/slack-harness.js";

const h = useSlackHarness();

const get = async (path: string) => {
  const response = await fetch(`${h.origin}${path}`);
  return { status: response.status, text: await response.text() };
};

describe("a replica started while Slack's Web API is down", () => {
  it("answers commands at once in words, stays ready, says Slack's state, and serves once Slack is back", async () => {
    await h.restart(() => {
      h.slack.outage = true;
    });

    const started = Date.now();
    const reply = await h.command(REQUESTER, "set dolfin-acme ada@example.com admin on call");
    expect(reply.status).toBe(200);
    expect(reply.json()).toEqual({ response_type: "ephemeral", text: STARTING_MESSAGE });
    expect(Date.now() - started).toBeLessThan(2_000); // within Slack's 3 s, never a timeout
    // A click has no answer in its acknowledgement: it is told through its response_url.
    expect((await h.click(APPROVER, ACTIONS.approve, "ABCDEF")).status).toBe(200);
    await waitFor(
      () => h.slack.responses.some((r) => r.body.text === STARTING_MESSAGE),
      "the click to be told rolegate is starting",
    );

    const ready = await get("/readyz");
    expect(ready.status).toBe(200);
    expect(JSON.parse(ready.text)).toMatchObject({
      ok: true,
      checks: { database: "ok", migrations: "ok", slack: expect.stringContaining("not answering") },
    });
    expect((await get("/metrics")).text).toMatch(/^rolegate_slack_up 0$/m);
    expect(await h.database.prisma.roleRequest.count()).toBe(0); // nothing was filed

    h.slack.outage = false;
    await waitFor(
      () => h.rolegate.connection.installation() !== undefined,
      "rolegate to learn its workspace once Slack answers",
      5_000,
    );
    expect((await h.command(REQUESTER, "set dolfin-acme ada@example.com admin on call")).json()).toMatchObject({
      text: "Reading the current role in dolfin-acme…",
    });
    await waitFor(() => h.lastResponse().includes("filed"), "the filing reply");
    expect((await get("/metrics")).text).toMatch(/^rolegate_slack_up 1$/m);
    expect(JSON.parse((await get("/readyz")).text)).toMatchObject({ ok: true, checks: { slack: "ok" } });
  });

  it("stays ready while a known Slack goes down, and says so", async () => {
    h.slack.outage = true;
    await waitFor(
      async () => (await get("/readyz")).text.includes("not answering"),
      "the next check to see Slack down",
    );
    expect((await get("/readyz")).status).toBe(200);
    // The workspace is still known: commands are served, not told that rolegate is starting.
    const help = await h.command(REQUESTER, "help");
    expect(help.status).toBe(200);
    expect(JSON.stringify(help.json())).toContain("/role set");
  });
});
