// The request form: opened by /role, roles loaded from the vendor when a target is picked,
// checked inline on submit, filed as the command would file it.
import { describe, expect, it } from "vitest";
import { FORM } from "../../src/slack/action-ids.js";
import { PERMANENT } from "../../src/slack/blocks/forms.js";
import { REQUESTER, useSlackHarness, waitFor } from "../support/slack-harness.js";

const h = useSlackHarness();

async function openForm(): Promise<string> {
  const reply = await h.command(REQUESTER, "");
  expect(reply.status).toBe(200);
  await waitFor(() => h.slack.callsTo("views.open").length === 1, "the form to open");
  return [...h.slack.views.keys()].at(-1)!;
}

async function pickTarget(viewId: string, target: string): Promise<void> {
  const updates = h.slack.callsTo("views.update").length;
  await h.selectInView(REQUESTER, viewId, FORM.target.action, target);
  await waitFor(() => h.slack.callsTo("views.update").length > updates, "the form to redraw");
}

const blockIds = (viewId: string) =>
  (h.slack.views.get(viewId)!.view.blocks as { block_id?: string; type: string }[]).map(
    (b) => `${b.block_id}:${b.type}`,
  );

function values(fields: {
  target?: string;
  users?: string[];
  emails?: string;
  role?: string;
  teamRoles?: string;
  duration?: string;
  reason?: string;
}) {
  return {
    [FORM.target.block]: {
      [FORM.target.action]: { type: "static_select", selected_option: fields.target ? { value: fields.target } : null },
    },
    [FORM.users.block]: { [FORM.users.action]: { type: "multi_users_select", selected_users: fields.users ?? [] } },
    [FORM.emails.block]: { [FORM.emails.action]: { type: "plain_text_input", value: fields.emails ?? null } },
    ...(fields.role !== undefined
      ? {
          [FORM.role.block]: {
            [FORM.role.action]: { type: "static_select", selected_option: fields.role ? { value: fields.role } : null },
          },
        }
      : {}),
    ...(fields.teamRoles !== undefined
      ? { [FORM.teamRoles.block]: { [FORM.teamRoles.action]: { type: "plain_text_input", value: fields.teamRoles } } }
      : {}),
    // "Permanent" is preselected where the target allows it, so Slack sends it unless changed.
    [FORM.duration.block]: {
      [FORM.duration.action]: { type: "static_select", selected_option: { value: fields.duration ?? PERMANENT } },
    },
    [FORM.reason.block]: { [FORM.reason.action]: { type: "plain_text_input", value: fields.reason ?? null } },
  };
}

describe("the request form", () => {
  it("opens at once with every target, and shows a target's roles once it is picked", async () => {
    const viewId = await openForm();
    const opened = h.slack.callsTo("views.open")[0]!.params;
    expect(opened.trigger_id).toMatch(/^trigger\./);
    expect(JSON.stringify(h.slack.views.get(viewId)!.view)).toContain("Pick a target to see its roles.");
    for (const name of ["dolfin-acme", "sentry-acme", "devin-a", "devin-b"])
      expect(JSON.stringify(h.slack.views.get(viewId)!.view)).toContain(name);

    await pickTarget(viewId, "sentry-acme");
    expect(blockIds(viewId)).toEqual([
      "target:input",
      "members_users:input",
      "members_emails:input",
      "role:input",
      "team_roles:input",
      "duration:input",
      "reason:input",
    ]);
    expect(JSON.stringify(h.slack.views.get(viewId)!.view)).toContain("Role in sentry-acme");

    await pickTarget(viewId, "dolfin-acme");
    expect(blockIds(viewId)).not.toContain("team_roles:input"); // team roles are Sentry's alone
  });

  it("shows what is missing inline, and files nothing", async () => {
    const viewId = await openForm();
    const empty = await h.submitView(REQUESTER, viewId, values({}));
    expect(empty.json()).toEqual({
      response_action: "errors",
      errors: {
        target: "Pick a target.",
        members_emails: "Name at least one member: pick people above or type their emails here.",
        reason: "Say why the change is needed.",
      },
    });

    const bad = await h.submitView(
      REQUESTER,
      viewId,
      values({ target: "dolfin-acme", emails: "ada@example.com, bob", role: "admin", reason: "x" }),
    );
    expect(bad.json()).toEqual({
      response_action: "errors",
      errors: { members_emails: '"bob" is not a member: write an email address, an @mention, or id:<vendor id>.' },
    });

    const notLoaded = await h.submitView(
      REQUESTER,
      viewId,
      values({ target: "dolfin-acme", emails: "ada@example.com", reason: "x" }),
    );
    expect(notLoaded.json()).toEqual({
      response_action: "errors",
      errors: { target: "This target's roles are not loaded yet: pick it again." },
    });

    const teams = await h.submitView(
      REQUESTER,
      viewId,
      values({ target: "sentry-acme", emails: "ada@example.com", role: "admin", teamRoles: "backend", reason: "x" }),
    );
    expect(teams.json()).toEqual({
      response_action: "errors",
      errors: { team_roles: '"backend" is not team:role; write e.g. backend:admin, web:contributor.' },
    });

    expect(await h.rolegate.history.list({ kind: "all" }, 5, "anyone")).toEqual([]);
  });

  it("a member the vendor does not know is shown inline, beside the members", async () => {
    const viewId = await openForm();
    await pickTarget(viewId, "dolfin-acme");
    const reply = await h.submitView(
      REQUESTER,
      viewId,
      values({ target: "dolfin-acme", emails: "zed@example.com", role: "admin", reason: "x" }),
    );
    expect(reply.json()).toEqual({
      response_action: "errors",
      errors: {
        members_emails: "zed@example.com is not a member of org-acme (dolfin-acme), so there is no role to change.",
      },
    });
  });

  it("a valid form closes and files the request, with people picked in Slack and typed emails", async () => {
    h.slack.users.set("U0ADAADA1", "ada@example.com");
    const viewId = await openForm();
    await pickTarget(viewId, "dolfin-acme");
    const reply = await h.submitView(
      REQUESTER,
      viewId,
      values({
        target: "dolfin-acme",
        users: ["U0ADAADA1"],
        emails: "bob@example.com",
        role: "admin",
        reason: "release week",
      }),
    );
    expect(reply.json()).toEqual({ response_action: "clear" });

    const [request] = await h.rolegate.history.list({ kind: "all" }, 1, "anyone");
    expect(request).toMatchObject({
      target: "dolfin-acme",
      requestedRole: { id: "admin", name: "Admin" },
      reason: "release week",
      requesterId: REQUESTER,
    });
    expect(request!.members.map((m) => [m.ref, m.roleWhenFiled])).toEqual([
      ["ada@example.com", "Member"],
      ["bob@example.com", "Member"],
    ]);
    await waitFor(() => h.cardText(request!.id).includes("bob@example.com: Member → *Admin*"), "the card");
  });

  it("a length picked in the form files a time-bound change, shown on the card with its length", async () => {
    const viewId = await openForm();
    await pickTarget(viewId, "dolfin-acme");
    const reply = await h.submitView(
      REQUESTER,
      viewId,
      values({
        target: "dolfin-acme",
        emails: "ada@example.com",
        role: "admin",
        duration: String(4 * 3_600),
        reason: "incident 42",
      }),
    );
    expect(reply.json()).toEqual({ response_action: "clear" });
    const [request] = await h.rolegate.history.list({ kind: "all" }, 1, "anyone");
    expect(request?.durationSeconds).toBe(4 * 3_600);
    await waitFor(() => h.cardText(request!.id).includes("Admin for 4h"), "the card");
  });

  it("a length the form never offers, sent anyway (a century, a second), is refused beside the picker, and nothing is filed", async () => {
    const viewId = await openForm();
    await pickTarget(viewId, "dolfin-acme");
    for (const duration of [String(100 * 365 * 86_400), "1"]) {
      const reply = await h.submitView(
        REQUESTER,
        viewId,
        values({ target: "dolfin-acme", emails: "ada@example.com", role: "admin", duration, reason: "x" }),
      );
      expect(reply.json()).toEqual({
        response_action: "errors",
        errors: { duration: "A grant lasts from a minute (1m) to a year (365d)." },
      });
    }
    expect(await h.rolegate.history.list({ kind: "all" }, 5, "anyone")).toEqual([]);
    expect(h.dolfin.reads).toEqual([]); // refused before any vendor lookup
  });

  it("Sentry team roles are kept on the request and shown on the card", async () => {
    h.vendors.get("sentry-acme")!.addMember("s-1", "ada@example.com", "member");
    const viewId = await openForm();
    await pickTarget(viewId, "sentry-acme");
    await h.submitView(
      REQUESTER,
      viewId,
      values({
        target: "sentry-acme",
        emails: "ada@example.com",
        role: "admin",
        teamRoles: "backend:admin, web:contributor",
        reason: "lead",
      }),
    );
    const [request] = await h.rolegate.history.list({ kind: "all" }, 1, "anyone");
    expect(request?.teamRoles).toEqual([
      { team: "backend", role: "admin" },
      { team: "web", role: "contributor" },
    ]);
    await waitFor(() => h.cardText(request!.id).includes("Teams: backend: admin, web: contributor"), "the card");
  });

  it("when the vendor is slow, the form closes in time and the outcome follows in the channel", async () => {
    const original = h.dolfin.findMember.bind(h.dolfin);
    let vendorAnswered = false;
    h.dolfin.findMember = async (member) => {
      await new Promise((r) => setTimeout(r, 1_500)); // past the form's budget (1 s in the harness)
      vendorAnswered = true;
      return original(member);
    };
    const viewId = await openForm();
    await pickTarget(viewId, "dolfin-acme");
    const reply = await h.submitView(
      REQUESTER,
      viewId,
      values({ target: "dolfin-acme", emails: "zed@example.com", role: "admin", reason: "x" }),
    );
    expect(reply.json()).toEqual({ response_action: "clear" });
    expect(vendorAnswered).toBe(false); // Slack got its answer without waiting for the vendor

    await waitFor(() => h.slack.ephemerals.length === 1, "the outcome");
    expect(h.slack.ephemerals[0]).toEqual({
      channel: "C0GENERAL",
      user: REQUESTER,
      text: "Your role request was not filed: zed@example.com is not a member of org-acme (dolfin-acme), so there is no role to change.",
    });
  });
});

describe("the request form and the target's policy", () => {
  const p = useSlackHarness(
    "  dolfin-fin: { vendor: dolfin, organization: org-fin, tokenEnv: DOLFIN_TOKEN, requireDuration: true, maxDuration: { default: 1d, admin: 8h } }\n",
  );

  it("offers no Permanent and no length past the target's longest maxDuration, and refuses a length too long for the role beside the picker", async () => {
    p.vendors.get("dolfin-fin")!.addMember("usr_f1", "fay@example.com", "member");
    await p.command(REQUESTER, "");
    await waitFor(() => p.slack.callsTo("views.open").length === 1, "the form to open");
    const viewId = [...p.slack.views.keys()].at(-1)!;
    await p.selectInView(REQUESTER, viewId, FORM.target.action, "dolfin-fin");
    await waitFor(() => p.slack.callsTo("views.update").length === 1, "the form to redraw");

    const blocks = p.slack.views.get(viewId)!.view.blocks as {
      block_id?: string;
      element?: { options?: { value: string; text: { text: string } }[]; initial_option?: unknown };
    }[];
    const picker = blocks.find((b) => b.block_id === FORM.duration.block)!.element!;
    expect(picker.options!.map((o) => o.text.text)).toEqual(["For 1h", "For 4h", "For 8h", "For 1d"]);
    expect(picker.initial_option).toBeUndefined();

    const tooLong = await p.submitView(
      REQUESTER,
      viewId,
      values({
        target: "dolfin-fin",
        emails: "fay@example.com",
        role: "admin",
        duration: String(86_400),
        reason: "month-end",
      }),
    );
    expect(tooLong.json()).toEqual({
      response_action: "errors",
      errors: { duration: "Admin in dolfin-fin can be granted for at most 8h; you asked for 1d." },
    });
    const permanent = await p.submitView(
      REQUESTER,
      viewId,
      values({ target: "dolfin-fin", emails: "fay@example.com", role: "admin", reason: "month-end" }),
    );
    expect(permanent.json()).toMatchObject({
      response_action: "errors",
      errors: { duration: expect.stringContaining("is only granted for a while") },
    });
    expect(await p.rolegate.history.list({ kind: "all" }, 5, "anyone")).toEqual([]);
  });
});
