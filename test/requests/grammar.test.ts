import { describe, expect, it } from "vitest";
import { FULL_USAGE, parseRoleCommand, USAGE } from "../../src/requests/grammar.js";

const TARGETS = new Set(["sentry-acme", "devin-a", "devin-b"]);
const parse = (text: string) => parseRoleCommand(text, TARGETS);

describe("/role set and add", () => {
  it("reads a target, members as people type them, a role and the reason verbatim", () => {
    expect(
      parse(
        "set sentry-acme <mailto:Ada@Example.com|Ada@Example.com>, <@U0BOB1234|bob> ,id:42 admin on call, this week &amp; next",
      ),
    ).toEqual({
      ok: true,
      command: {
        type: "set",
        target: "sentry-acme",
        members: [
          { kind: "email", email: "ada@example.com" },
          { kind: "slack", userId: "U0BOB1234" },
          { kind: "vendor_id", id: "42" },
        ],
        role: "admin",
        durationSeconds: null,
        reason: "on call, this week & next",
      },
    });
  });

  it("reads 'for <duration>' after the role as a time-bound grant; 'for' followed by words is the reason", () => {
    expect(parse("set sentry-acme ada@example.com admin for 4h incident 42")).toMatchObject({
      ok: true,
      command: { durationSeconds: 14_400, reason: "incident 42" },
    });
    expect(parse("set sentry-acme ada@example.com admin for 1h30m x")).toMatchObject({
      ok: true,
      command: { durationSeconds: 5_400 },
    });
    expect(parse("set sentry-acme ada@example.com admin for the on-call week")).toMatchObject({
      ok: true,
      command: { durationSeconds: null, reason: "for the on-call week" },
    });
  });

  it("refuses a duration it cannot read, one too short or too long, a time-bound add, and a grant without a reason", () => {
    const error = (text: string) => {
      const result = parse(text);
      return result.ok ? "parsed" : result.error;
    };
    expect(error("set sentry-acme ada@example.com admin for 4 hours")).toBe(
      '"4" is not a duration; write it like 90m, 4h or 2d.',
    );
    expect(error("set sentry-acme ada@example.com admin for 30s x")).toBe("A grant lasts at least a minute (1m).");
    expect(error("set sentry-acme ada@example.com admin for 400d x")).toBe("A grant lasts at most a year (365d).");
    expect(error("add devin-a ada@example.com org_member for 2d x")).toBe(
      "Time-bound access works with `/role set`; `/role add` adds members for good.",
    );
    expect(error("set sentry-acme ada@example.com admin for 2d")).toBe(
      "A reason is required: say why, after the duration.",
    );
  });

  it("takes a quoted role with spaces, in straight or curly quotes", () => {
    expect(parse('set ait x@y.io "Department Manager" runs the dept')).toMatchObject({
      ok: true,
      command: { role: "Department Manager", reason: "runs the dept" },
    });
    expect(parse("set ait x@y.io “Knowledge Manager” docs")).toMatchObject({
      ok: true,
      command: { role: "Knowledge Manager" },
    });
  });

  it("adds to several targets at once", () => {
    expect(parse("add devin-a,devin-b ada@example.com org_member joining")).toMatchObject({
      ok: true,
      command: { type: "add", targets: ["devin-a", "devin-b"], role: "org_member", reason: "joining" },
    });
  });

  it("says what is missing or wrong, and shows the right form", () => {
    const cases: [string, string][] = [
      ["set", "`/role set` needs a target, the member(s), a role and a reason."],
      ["set sentry-acme", "`/role set` needs the member(s) after the target."],
      ["set sentry-acme ada@example.com", "`/role set` needs a role after the member(s)."],
      ["set sentry-acme ada@example.com admin", "A reason is required: say why, after the role."],
      [
        "set sentry-acme ada admin because",
        '"ada" is not a member: write an email address, an @mention, or id:<vendor id>.',
      ],
      [
        "set sentry-acme @ada admin because",
        '"@ada" is not a mention Slack recognised; pick the person from the @ menu, or write their email address.',
      ],
      [
        "set devin-a,devin-b ada@example.com admin x",
        "`/role set` changes roles in one target; to add members to several organizations use `/role add`.",
      ],
    ];
    for (const [text, error] of cases) {
      const result = parse(text);
      expect(result, text).toMatchObject({ ok: false, error });
      expect(!result.ok && result.usage, text).toContain(USAGE.set.split(" — ")[0]);
    }
  });
});

describe("the other subcommands", () => {
  it("no text or 'request' opens the form; help and targets need nothing", () => {
    expect(parse("")).toEqual({ ok: true, command: { type: "form" } });
    expect(parse("request")).toEqual({ ok: true, command: { type: "form" } });
    expect(parse("HELP")).toEqual({ ok: true, command: { type: "help" } });
    expect(parse("targets")).toEqual({ ok: true, command: { type: "targets" } });
  });

  it("show and cancel take one id, in any case", () => {
    expect(parse("show 7k2qxm")).toEqual({ ok: true, command: { type: "show", id: "7K2QXM" } });
    expect(parse("cancel #7K2QXM")).toEqual({ ok: true, command: { type: "cancel", id: "7K2QXM" } });
    expect(parse("cancel")).toMatchObject({
      ok: false,
      error: "`/role cancel` takes one request id.",
      usage: USAGE.cancel,
    });
    expect(parse("show bananas")).toMatchObject({
      ok: false,
      error: '"bananas" is not a request id; ids are six letters and digits, like 7K2QXM.',
    });
  });

  it("history filters by mine, pending, a target or a member, with a count", () => {
    expect(parse("history")).toEqual({ ok: true, command: { type: "history", filter: { kind: "all" }, limit: 10 } });
    expect(parse("history mine 5")).toEqual({
      ok: true,
      command: { type: "history", filter: { kind: "mine" }, limit: 5 },
    });
    expect(parse("history pending")).toMatchObject({ command: { filter: { kind: "pending" } } });
    expect(parse("history sentry-acme")).toMatchObject({
      command: { filter: { kind: "target", target: "sentry-acme" } },
    });
    expect(parse("history <@U0ADA1234|ada> 3")).toMatchObject({
      command: { filter: { kind: "member", member: { kind: "slack", userId: "U0ADA1234" } }, limit: 3 },
    });
    expect(parse("history 500")).toMatchObject({ ok: false, error: "Show between 1 and 50 requests, not 500." });
    expect(parse("history sentry")).toMatchObject({
      ok: false,
      error: '"sentry" is not mine, pending, a target (sentry-acme, devin-a, devin-b) or a member.',
    });
  });

  it("anything else is answered with the whole grammar", () => {
    expect(parse("grant ada admin")).toEqual({
      ok: false,
      error: '"grant" is not something /role does.',
      usage: FULL_USAGE,
    });
  });
});
