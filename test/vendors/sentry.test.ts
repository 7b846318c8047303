import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { byEmail, connectorFor, vendorFailure } from "../support/vendor-target.js";
import { nextCursor } from "../../src/vendors/sentry.js";
import { FakeSentry, SENTRY_TOKEN } from "../support/fake-vendors/sentry.js";

let fake: FakeSentry;

beforeEach(async () => {
  fake = new FakeSentry("acme");
  fake.addMember("1", "token-owner@example.com", "manager");
  fake.addMember("2", "ada@example.com", "member", {
    teamRoles: [
      { teamSlug: "backend", role: "contributor" },
      { teamSlug: "web", role: "admin" },
    ],
  });
  fake.addMember("3", "boss@example.com", "owner");
  fake.addMember("4", "scim@example.com", "member", { flags: { "idp:provisioned": true } });
  fake.addMember("5", "partner@example.com", "member", { flags: { "partnership:restricted": true } });
  await fake.start();
});
afterEach(async () => {
  await fake.stop();
});

const connector = () => connectorFor("sentry", "acme", fake.origin, SENTRY_TOKEN);

const lookup = byEmail;

describe("Sentry", () => {
  it("finds a member by query=email:, following Link cursors, with their team roles", async () => {
    const sentry = connector();
    expect(await sentry.findMember(lookup("ADA@example.com"))).toEqual({
      vendorUserId: "2",
      email: "ada@example.com",
      role: { id: "member", name: "Member" },
      teamRoles: [
        { team: "backend", role: "contributor" },
        { team: "web", role: "admin" },
      ],
    });
    const searches = fake.received.filter((r) => r.path === "/api/0/organizations/acme/members/");
    expect(searches.map((r) => [r.query.get("query"), r.query.get("cursor")])).toEqual([
      ["email:ADA@example.com", null],
      ["email:ADA@example.com", "0:1:0"],
    ]);
    expect(await sentry.findMember(lookup("nobody@example.com"))).toBeNull();
    expect(fake.received.every((r) => r.headers.authorization === `Bearer ${SENTRY_TOKEN}`)).toBe(true);
  });

  it("lists the organization's roles from the token user's own orgRoleList", async () => {
    expect((await connector().listRoles()).map((r) => r.id)).toEqual([
      "member",
      "admin",
      "manager",
      "owner",
      "billing",
    ]);
    expect(fake.received.at(-1)!.path).toBe("/api/0/organizations/acme/members/me/");
  });

  it("makes seed 004's call exactly, always sending the member's current teamRoles with orgRole", async () => {
    const sentry = connector();
    const ada = (await sentry.findMember(lookup("ada@example.com")))!;
    await sentry.setRole({ members: [ada], role: { id: "admin", name: "Admin" }, teamRoles: null });

    const [put] = fake.writes();
    expect(put).toMatchObject({ method: "PUT", path: "/api/0/organizations/acme/members/2/" });
    expect(put!.json).toEqual({
      orgRole: "admin",
      teamRoles: [
        { teamSlug: "backend", role: "contributor" },
        { teamSlug: "web", role: "admin" },
      ],
    });
    expect(fake.members.get("2")!.teamRoles).toHaveLength(2); // not cleared
    expect(fake.members.get("2")!.orgRole).toBe("admin");
  });

  it("sets requested team roles over the current ones", async () => {
    const sentry = connector();
    const ada = (await sentry.findMember(lookup("ada@example.com")))!;
    await sentry.setRole({
      members: [ada],
      role: { id: "member", name: "Member" },
      teamRoles: [
        { team: "backend", role: "admin" },
        { team: "ops", role: "contributor" },
      ],
    });
    expect(fake.writes()[0]!.json).toEqual({
      orgRole: "member",
      teamRoles: [
        { teamSlug: "backend", role: "admin" },
        { teamSlug: "web", role: "admin" },
        { teamSlug: "ops", role: "contributor" },
      ],
    });
  });

  it("refuses before calling what Sentry would refuse, saying why", async () => {
    const sentry = connector();
    const member = async (email: string) => (await sentry.findMember(lookup(email)))!;
    const set = async (email: string, role: string) =>
      vendorFailure(
        sentry.setRole({ members: [await member(email)], role: { id: role, name: role }, teamRoles: null }),
      );

    expect(await set("token-owner@example.com", "member")).toMatchObject({
      kind: "forbidden",
      message:
        "token-owner@example.com is the user of rolegate's Sentry token; nobody can change their own role in Sentry.",
    });
    expect(await set("ada@example.com", "owner")).toMatchObject({
      kind: "forbidden",
      message: "rolegate's Sentry token may not give the Owner role: its user's role is below it.",
    });
    expect(await set("boss@example.com", "member")).toMatchObject({
      kind: "forbidden",
      message: "rolegate's Sentry token may not change boss@example.com's role: Owner is above its user's role.",
    });
    expect(await set("scim@example.com", "admin")).toMatchObject({
      kind: "forbidden",
      message: "scim@example.com is provisioned by your identity provider (SCIM); change the role there.",
    });
    expect(await set("partner@example.com", "admin")).toMatchObject({
      kind: "forbidden",
      message: "partner@example.com is restricted by a Sentry partnership; change the role there.",
    });
    expect(await set("ada@example.com", "superadmin")).toMatchObject({
      kind: "invalid",
      message: 'Sentry organization acme has no role "superadmin".',
    });
    expect(fake.writes()).toHaveLength(0);
  });

  it("checks every member against Sentry's rules before the first write: a request naming an allowed member first and an identity-provider-managed one second changes nobody", async () => {
    const sentry = connector();
    const members = [
      (await sentry.findMember(lookup("ada@example.com")))!,
      (await sentry.findMember(lookup("scim@example.com")))!,
    ];
    expect(
      await vendorFailure(sentry.setRole({ members, role: { id: "admin", name: "Admin" }, teamRoles: null })),
    ).toMatchObject({
      kind: "forbidden",
      message: "scim@example.com is provisioned by your identity provider (SCIM); change the role there.",
      completedMemberIds: [],
    });
    expect(fake.writes()).toHaveLength(0);
  });

  it("refuses to demote the only Owner, even with a token allowed to change Owners", async () => {
    fake.callerRole = "owner";
    const sentry = connector();
    const boss = (await sentry.findMember(lookup("boss@example.com")))!;
    expect(
      await vendorFailure(sentry.setRole({ members: [boss], role: { id: "member", name: "Member" }, teamRoles: null })),
    ).toMatchObject({
      kind: "conflict",
      message: "boss@example.com is the only Owner of acme; make someone else Owner first.",
    });
    expect(fake.writes()).toHaveLength(0);
  });

  it("shows Sentry's own words for what it refuses, and waits for its rate-limit reset", async () => {
    const sentry = connector();
    const ada = (await sentry.findMember(lookup("ada@example.com")))!;
    const set = () => sentry.setRole({ members: [ada], role: { id: "admin", name: "Admin" }, teamRoles: null });
    fake.failNext(
      { status: 400, body: { orgRole: ["You do not have permission to set that org-level role"] } },
      (r) => r.method === "PUT",
    );
    expect(await vendorFailure(set())).toMatchObject({
      kind: "invalid",
      message: "orgRole: You do not have permission to set that org-level role",
    });
    fake.failNext(
      { status: 403, body: { detail: "You do not have permission to perform this action." } },
      (r) => r.method === "PUT",
    );
    expect(await vendorFailure(set())).toMatchObject({
      kind: "forbidden",
      message: "You do not have permission to perform this action.",
    });
    const reset = Math.floor(Date.now() / 1000) + 30;
    fake.failNext(
      {
        status: 429,
        raw: "You are attempting to use this endpoint too frequently. Limit is 5 requests in 1 seconds",
        headers: { "x-sentry-rate-limit-reset": String(reset), "x-sentry-rate-limit-remaining": "0" },
      },
      (r) => r.method === "PUT",
    );
    const limited = await vendorFailure(set());
    expect(limited).toMatchObject({
      kind: "rate_limited",
      message: "You are attempting to use this endpoint too frequently. Limit is 5 requests in 1 seconds",
    });
    expect(limited.retryAfterMs).toBeGreaterThan(25_000);
    expect(limited.retryAfterMs).toBeLessThanOrEqual(30_000);
    fake.failNext({ status: 429, raw: "Too many requests" }, (r) => r.method === "PUT"); // self-hosted: no rate headers
    expect(await vendorFailure(set())).toMatchObject({ kind: "rate_limited", retryAfterMs: undefined });
    fake.failNext(
      { status: 404, body: { detail: "The requested resource does not exist" } },
      (r) => r.method === "PUT",
    );
    expect(await vendorFailure(set())).toMatchObject({ kind: "not_found" });
  });

  it("reads Link cursors only while Sentry says there are results", () => {
    expect(
      nextCursor(
        '<https://sentry.io/x/?cursor=0:0:1>; rel="previous"; results="false"; cursor="0:0:1", <https://sentry.io/x/?cursor=0:100:0>; rel="next"; results="true"; cursor="0:100:0"',
      ),
    ).toBe("0:100:0");
    expect(
      nextCursor('<https://sentry.io/x/?cursor=0:100:0>; rel="next"; results="false"; cursor="0:100:0"'),
    ).toBeUndefined();
    expect(nextCursor(null)).toBeUndefined();
  });
});
