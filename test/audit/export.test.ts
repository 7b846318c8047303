// GET /audit/events as an auditor's script calls it: the bearer token or a bare 401, every event
// of a request in time order with who did what to whom, JSON lines or CSV, and a query that
// cannot be served refused in words.
import { describe, expect, it } from "vitest";
import { ACTIONS } from "../../src/slack/action-ids.js";
import { APPROVER, useSlackHarness, waitFor } from "../support/slack-harness.js";

const TOKEN = "audit-token-0123456789abcdef0123456789abcdef";
const h = useSlackHarness("", "", { auditToken: TOKEN });

/** GETs the export; `authorization` null sends no such header. */
async function get(query: string, authorization: string | null = `Bearer ${TOKEN}`) {
  const response = await fetch(`${h.origin}/audit/events${query}`, {
    headers: authorization === null ? {} : { authorization },
  });
  return { status: response.status, type: response.headers.get("content-type"), body: await response.text() };
}

const DAY = 86_400_000;
const range = () => {
  const now = h.clock.now().getTime();
  return `since=${new Date(now - DAY).toISOString()}&until=${new Date(now + DAY).toISOString()}`;
};

async function appliedRequest(text: string): Promise<string> {
  const id = await h.fileRequest(text);
  await h.click(APPROVER, ACTIONS.approve, id);
  await waitFor(async () => (await h.rolegate.repo.find(id))?.status === "APPLIED", "the change");
  return id;
}

describe("GET /audit/events", () => {
  it("answers 401, saying nothing, without the token, with a wrong one, or one of another length", async () => {
    for (const authorization of [null, `Bearer ${TOKEN.slice(0, -1)}x`, "Bearer short", TOKEN, `Basic ${TOKEN}`]) {
      const answer = await get(`?${range()}`, authorization);
      expect([authorization, answer.status, answer.body]).toEqual([authorization, 401, ""]);
    }
  });

  it("streams a request's events in time order as JSON lines: who did what to whom, roles before and after, why", async () => {
    const id = await appliedRequest("set dolfin-acme ada@example.com admin on call this week");

    const answer = await get(`?${range()}`);

    expect(answer.status).toBe(200);
    expect(answer.type).toContain("application/x-ndjson");
    const events = answer.body
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((e) => e.requestId === id);
    expect(events.map((e) => e.event)).toEqual(["FILED", "APPROVED", "CLAIMED", "APPLIED"]);
    const times = events.map((e) => Date.parse(e.at as string));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(events[1]).toMatchObject({
      source: "request",
      target: "dolfin-acme",
      members: [{ email: "ada@example.com", vendorUserId: "usr_1" }],
      roleBefore: "Member",
      roleAfter: "Admin",
      durationSeconds: null,
      actor: APPROVER,
      actorEmail: "approver@example.com",
      reason: "on call this week",
    });
  });

  it("as CSV: a header, one quoted row per event, and a reason that would run as a formula defused", async () => {
    const id = await appliedRequest('set dolfin-acme ada@example.com admin =HYPERLINK("http://x", "y")');

    const answer = await get(`?${range()}&format=csv&target=dolfin-acme`);

    expect(answer.type).toContain("text/csv");
    const [header, ...rows] = answer.body.trim().split("\n");
    expect(header).toBe(
      "id,at,source,event,request_id,target,members,role_before,role_after,duration_seconds,actor,actor_email,reason,details",
    );
    const filed = rows.find((r) => r.includes(`,FILED,${id},`))!;
    expect(filed).toContain("dolfin-acme,ada@example.com (usr_1),Member,Admin,,U0REQUEST,requester@example.com,");
    expect(filed).toContain(`"'=HYPERLINK(""http://x"", ""y"")"`);
  });

  it("refuses, in words, a date it cannot read, ten years at once, a target that does not exist, a format it does not write", async () => {
    const refusals = await Promise.all(
      [
        "?since=yesterday",
        "?since=2016-01-01&until=2026-01-01",
        "?until=2026-01-01&since=2026-02-01",
        "?target=nowhere",
        "?format=xml",
        "?limit=10",
      ].map((q) => get(q)),
    );
    expect(refusals.map((r) => [r.status, r.body.trim()])).toEqual([
      [400, 'since: "yesterday" is not a date; write it like 2026-11-01 or 2026-11-01T09:00:00Z.'],
      [400, "The range is 3653 days; export at most 366 days at a time (since and until)."],
      [400, "since must be before until."],
      [400, 'There is no target named "nowhere".'],
      [400, 'format: "xml" is not one; use jsonl or csv.'],
      [400, '"limit" is not a parameter; use since, until, target and format.'],
    ]);
  });
});
