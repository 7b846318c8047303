// Every /role subcommand's answers and refusals, as the person who typed it sees them.
import { describe, expect, it } from "vitest";
import { FULL_USAGE } from "../../src/requests/grammar.js";
import { escapeText } from "../../src/slack/blocks/text.js";
import { ACTIONS } from "../../src/slack/action-ids.js";
import { VendorError } from "../../src/vendors/errors.js";
import { APPROVER, REQUESTER, SECOND_APPROVER, useSlackHarness, waitFor } from "../support/slack-harness.js";

const h = useSlackHarness();

/** Runs a command and returns what the person finally sees: the last reply to it. */
async function run(text: string, user = REQUESTER): Promise<string> {
  const before = h.slack.responses.length;
  const reply = await h.command(user, text);
  expect(reply.status).toBe(200);
  const immediate = reply.body ? (reply.json().text as string | undefined) : undefined;
  // Answered in the ack itself, with nothing to follow: help and parse errors.
  if (immediate && !immediate.endsWith("…")) return immediate;
  await waitFor(() => h.slack.responses.length > before, `a reply to "/role ${text}"`);
  const response = h.slack.responses.at(-1)!;
  expect(response.body.response_type).toBe("ephemeral");
  return h.lastResponse();
}

async function file(text: string, user = REQUESTER): Promise<string> {
  const answer = await run(text, user);
  const match = /Request \*([0-9A-Z]{6})\* filed/.exec(answer);
  if (!match) throw new Error(`not filed: ${answer}`);
  await h.noticesDelivered(); // the card is posted after the commit
  return match[1]!;
}

describe("help and mistakes", () => {
  it("/role help prints the grammar", async () => {
    const help = await run("help");
    expect(help).toBe(escapeText(FULL_USAGE));
    expect(help).toContain(
      "`/role set &lt;target&gt; &lt;member&gt;[,&lt;member&gt;…] &lt;role&gt; [for &lt;duration&gt;] &lt;reason…&gt;`",
    );
  });

  it("an unknown subcommand says so and shows the whole grammar", async () => {
    expect(await run("grant ada admin")).toBe(escapeText(`"grant" is not something /role does.\n\n${FULL_USAGE}`));
    expect(await run("&lt;!channel&gt; now")).toBe(
      escapeText(`"<!channel>" is not something /role does.\n\n${FULL_USAGE}`),
    );
  });

  it("each malformed subcommand names what is wrong and shows its own form", async () => {
    const cases: [string, string, string][] = [
      ["set dolfin-acme", "`/role set` needs the member(s) after the target.", "/role set <target>"],
      [
        "set dolfin-acme ada@example.com admin",
        "A reason is required: say why, after the role.",
        "For example: `/role set",
      ],
      [
        "add devin-a nobody org_member x",
        '"nobody" is not a member: write an email address, an @mention, or id:<vendor id>.',
        "/role add <target>",
      ],
      ["show", "`/role show` takes one request id.", "/role show <id>"],
      ["cancel 12", '"12" is not a request id; ids are six letters and digits, like 7K2QXM.', "/role cancel <id>"],
      [
        "history everything",
        '"everything" is not mine, pending, a target (dolfin-acme, sentry-acme, devin-a, devin-b) or a member.',
        "/role history",
      ],
      ["history 0", "Show between 1 and 50 requests, not 0.", "/role history"],
    ];
    for (const [text, error, usage] of cases) {
      const answer = await run(text);
      expect(answer.startsWith(escapeText(error)), text).toBe(true);
      expect(answer, text).toContain(escapeText(usage));
    }
    expect(await h.rolegate.history.list({ kind: "all" }, 5, "anyone")).toEqual([]);
  });

  it("a target, role or member the vendor does not know is refused before anything is filed", async () => {
    expect(await run("set nowhere ada@example.com admin x")).toBe(
      'Nothing was filed: There is no target "nowhere". Configured targets: dolfin-acme, sentry-acme, devin-a, devin-b.',
    );
    expect(await run("set dolfin-acme ada@example.com superuser x")).toBe(
      'Nothing was filed: "superuser" is not a role in dolfin-acme. Its roles: Member, Admin, Owner.',
    );
    expect(await run("set dolfin-acme zed@example.com admin x")).toBe(
      "Nothing was filed: zed@example.com is not a member of org-acme (dolfin-acme), so there is no role to change.",
    );
    expect(await run("set devin-a zed@example.com member x")).toContain(
      "To add someone to a Devin organization, use /role add.",
    );
    expect(await run("set dolfin-acme <@U0NOEMAIL|ghost> admin x")).toBe(
      "Nothing was filed: &lt;@U0NOEMAIL&gt; has no email address rolegate can see; name them by email or id:&lt;vendor id&gt; instead.",
    );
    expect(await run("add dolfin-acme ada@example.com admin x")).toBe(
      "Nothing was filed: Adding members to organizations works for Devin targets only; dolfin-acme is dolfin. Use /role set for its existing members.",
    );
    expect(await h.rolegate.history.list({ kind: "all" }, 5, "anyone")).toEqual([]);
  });

  it("a vendor that cannot list its roles is reported, and nothing is filed", async () => {
    h.dolfin.listRoles = async () => {
      throw new VendorError({ kind: "unavailable", message: "503 Service Unavailable" });
    };
    expect(await run("set dolfin-acme ada@example.com admin x")).toBe(
      "Nothing was filed: rolegate could not read the roles of dolfin-acme: 503 Service Unavailable. Nothing was filed; try again in a minute.",
    );
  });

  it("a database fault is reported to the person, never silently dropped", async () => {
    const broken = h.rolegate.history.list.bind(h.rolegate.history);
    h.rolegate.history.list = async () => {
      throw new Error("connect ECONNREFUSED 127.0.0.1:5432");
    };
    try {
      expect(await run("history")).toContain("rolegate could not do that just now");
    } finally {
      h.rolegate.history.list = broken;
    }
  });
});

describe("adding to organizations", () => {
  it("/role add to several Devin targets files one request whose card warns of an overwrite", async () => {
    h.vendors.get("devin-a")!.addMember("u-ada", "ada@example.com", "admin");
    const id = await file("add devin-a,devin-b ada@example.com member joining the platform team");
    const card = h.cardText(id);
    expect(card).toContain("devin-a (devin · org-a)\ndevin-b (devin · org-b)");
    expect(card).toContain(
      "ada@example.com: devin-a: already a member as Admin; adding overwrites it with *Member*; devin-b: not a member → *Member*",
    );
    expect(card).toContain("Devin does not change a role a member inherits from an identity-provider group");
  });
});

describe("show, targets", () => {
  it("/role show gives the request in full with its audit trail, without buttons", async () => {
    const id = await file("set dolfin-acme ada@example.com admin on call");
    const shown = await run(`show ${id}`);
    expect(shown).toContain(`Role change ${id}`);
    expect(shown).toContain("*Audit trail*");
    expect(shown).toContain(`filed · <@${REQUESTER}>`);
    expect(h.slack.responses.at(-1)!.body.blocks).not.toContainEqual(expect.objectContaining({ type: "actions" }));
    expect(await run("show 7K2QXM")).toBe(
      "There is no request 7K2QXM that you can see: you see your own requests and those of the targets you approve. `/role history` lists them.",
    );
  });

  it("/role targets lists each target with its roles, and says which could not be read", async () => {
    // The vendor echoes the credential it was sent; rolegate must not pass it on.
    h.vendors.get("sentry-acme")!.rolesError = new VendorError({
      kind: "forbidden",
      message: "Invalid token sntrys_secret_value_1",
      httpStatus: 401,
    });
    const answer = await run("targets");
    expect(answer).toContain("*dolfin-acme (dolfin · org-acme)*: Member, Admin, Owner");
    expect(answer).toContain("*sentry-acme (sentry · acme)*: _roles unavailable: Invalid token [redacted]_");
  });
});

describe("history", () => {
  it("lists the newest first and filters by mine, pending, target and member", async () => {
    const first = await file("set dolfin-acme ada@example.com admin first", REQUESTER);
    h.clock.advance(1_000);
    const second = await file("set dolfin-acme bob@example.com admin second", APPROVER);
    h.clock.advance(1_000);
    await h.click(SECOND_APPROVER, "rolegate_approve", first);
    await waitFor(async () => (await h.rolegate.repo.find(first))?.status === "APPLIED", "applied");

    const all = await run("history");
    expect(all.indexOf(`*${second}*`)).toBeLessThan(all.indexOf(`*${first}*`));
    expect(all).toContain(`*${first}* · applied · dolfin-acme · asked by <@${REQUESTER}>`);
    expect(all).toContain("ada@example.com: Member → Admin");
    expect(all).toContain(`approved by <@${SECOND_APPROVER}>`);

    const mine = await run("history mine");
    expect(mine).toContain(first);
    expect(mine).not.toContain(second);

    const pending = await run("history pending");
    expect(pending).toContain(second);
    expect(pending).not.toContain(first);

    expect(await run("history dolfin-acme 1")).toContain(second);
    expect(await run("history dolfin-acme 1")).not.toContain(first);
    expect(await run("history sentry-acme")).toBe("Requests for sentry-acme: none.\n*Requests for sentry-acme*: none.");

    const byEmail = await run("history <mailto:bob@example.com|bob@example.com>");
    expect(byEmail).toContain(second);
    expect(byEmail).not.toContain(first);
    h.slack.users.set("U0ADAADA1", "ada@example.com");
    expect(await run("history <@U0ADAADA1|ada>")).toContain(first);
    expect(await run("history id:usr_2")).toContain(second);
  });
});

describe("history, page by page", () => {
  it("Older requests shows the next page below the last row, newest first, none repeated or skipped, and stops when there are no more", async () => {
    const ids: string[] = [];
    for (const who of ["ada", "bob", "cy", "dee", "eve"]) {
      h.dolfin.addMember(`usr_${who}`, `${who}@example.com`, "member");
      ids.unshift(await file(`set dolfin-acme ${who}@example.com admin page ${who}`));
      h.clock.advance(1_000);
    }
    const shown = (text: string) => [...text.matchAll(/\*([0-9A-Z]{6})\* ·/g)].map((m) => m[1]);

    const first = await run("history mine 2");
    expect(shown(first)).toEqual(ids.slice(0, 2));
    const pages = [first];
    for (let page = 1; page < 3; page++) {
      const before = h.slack.responses.length;
      await h.clickInReply(REQUESTER, ACTIONS.historyOlder);
      await waitFor(() => h.slack.responses.length > before, "the older page");
      pages.push(h.lastResponse());
    }
    expect(shown(pages[1]!)).toEqual(ids.slice(2, 4));
    expect(shown(pages[2]!)).toEqual(ids.slice(4));
    expect(JSON.stringify(h.slack.responses.at(-1)!.body.blocks)).not.toContain(ACTIONS.historyOlder); // the last page
  });

  it("a button value rolegate did not write is refused in words and shows nothing", async () => {
    await file("set dolfin-acme ada@example.com admin one");
    await file("set dolfin-acme bob@example.com admin two");
    await run("history mine 1");
    const before = h.slack.responses.length;
    await h.clickInReply(REQUESTER, ACTIONS.historyOlder, JSON.stringify({ query: { kind: "all" }, limit: 500 }));
    await waitFor(() => h.slack.responses.length > before, "the answer");
    expect(h.lastResponse()).toBe("That button is not one rolegate made; run `/role history` again.");
  });
});
