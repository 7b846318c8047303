import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { byEmail, connectorFor, vendorFailure } from "../support/vendor-target.js";
import { DEVIN_KEY, FakeDevin } from "../support/fake-vendors/devin.js";

let fake: FakeDevin;

beforeEach(async () => {
  fake = new FakeDevin();
  fake.addUser("user-ada", "ada@example.com", { "org-a": "org_member" });
  fake.addUser("user-adam", "adam@example.com", { "org-a": "org_admin" });
  fake.addUser("user-bob", "bob@example.com", { "org-a": "org_member", "org-b": "org_admin" });
  fake.org("org-c");
  await fake.start();
});
afterEach(async () => {
  await fake.stop();
});

const connector = (org = "org-a") => connectorFor("devin", org, fake.origin + "/", DEVIN_KEY);

const lookup = byEmail;

describe("Devin", () => {
  it("lists only org roles, and finds a member's role in this organization by exact email, across pages", async () => {
    const devin = connector();
    expect(await devin.listRoles()).toEqual([
      { id: "org_admin", name: "Admin" },
      { id: "org_member", name: "Member" },
    ]);
    // "ada" also matches adam@ in the vendor's search: only the exact email counts.
    expect(await devin.findMember(lookup("ada@example.com"))).toEqual({
      vendorUserId: "user-ada",
      email: "ada@example.com",
      role: { id: "org_member", name: "Member" },
    });
    expect(fake.received.filter((r) => r.path === "/v2/enterprise/members").length).toBeGreaterThan(1);
    expect(await connector("org-b").findMember(lookup("ada@example.com"))).toBeNull();
    expect(await devin.findMember(lookup("nobody@example.com"))).toBeNull();
    expect(fake.received.every((r) => r.headers.authorization === `Bearer ${DEVIN_KEY}`)).toBe(true);
  });

  it("a set naming several members is ONE PATCH, exactly as seed 000 specifies", async () => {
    const devin = connector();
    const members = [
      (await devin.findMember(lookup("ada@example.com")))!,
      (await devin.findMember(lookup("bob@example.com")))!,
    ];
    await devin.setRole({ members, role: { id: "org_admin", name: "Admin" }, teamRoles: null });

    expect(fake.writes()).toHaveLength(1);
    const [patch] = fake.writes();
    expect(patch).toMatchObject({ method: "PATCH", path: "/v2/enterprise/organizations/org-a/members/roles" });
    expect(patch!.json).toEqual({ user_ids: ["user-ada", "user-bob"], role_id: "org_admin" });
    expect(patch!.headers["content-type"]).toBe("application/json");
    expect(fake.org("org-a").get("user-ada")).toBe("org_admin");
  });

  it("an add to several organizations is ONE POST with every org_id, exactly as seed 001 specifies", async () => {
    await connector("org-b").addToOrganizations({
      members: [
        { email: "ada@example.com", vendorUserId: null },
        { email: null, vendorUserId: "user-bob" },
      ],
      organizations: ["org-b", "org-c"],
      role: { id: "org_member", name: "Member" },
    });
    expect(fake.writes()).toHaveLength(1);
    const [post] = fake.writes();
    expect(post).toMatchObject({ method: "POST", path: "/v2/enterprise/organizations/org-b/members" });
    expect(post!.json).toEqual({
      user_ids: ["user-ada", "user-bob"],
      org_ids: ["org-b", "org-c"],
      org_role: "org_member",
    });
    expect(fake.org("org-c").get("user-ada")).toBe("org_member");
    expect(fake.org("org-b").get("user-bob")).toBe("org_member"); // the documented overwrite
  });

  it("refuses before calling: a non-org role, or someone without an account in the enterprise", async () => {
    const devin = connector();
    const ada = (await devin.findMember(lookup("ada@example.com")))!;
    expect(
      await vendorFailure(
        devin.setRole({ members: [ada], role: { id: "enterprise_admin", name: "Enterprise Admin" }, teamRoles: null }),
      ),
    ).toMatchObject({
      kind: "invalid",
      message: "Enterprise Admin is not an organization role in Devin; org roles are Admin, Member.",
    });
    expect(
      await vendorFailure(
        devin.addToOrganizations({
          members: [{ email: "zed@example.com", vendorUserId: null }],
          organizations: ["org-a"],
          role: { id: "org_member", name: "Member" },
        }),
      ),
    ).toMatchObject({
      kind: "not_found",
      message: "zed@example.com has no account in this Devin enterprise; nobody was added.",
    });
    expect(fake.writes()).toHaveLength(0);
  });

  it("maps Devin's errors: 404 for a non-member, FastAPI 422 field errors, 403, 429 with and without Retry-After, 500", async () => {
    const devin = connector();
    const stranger = { vendorUserId: "user-zed", email: "zed@example.com", role: { id: "org_member", name: "Member" } };
    const set = (members = [stranger]) =>
      devin.setRole({ members, role: { id: "org_admin", name: "Admin" }, teamRoles: null });
    expect(await vendorFailure(set())).toMatchObject({
      kind: "not_found",
      message: "Users not in organization: user-zed",
      requestId: "devin-req-42",
    });
    fake.failNext({
      status: 422,
      body: { detail: [{ loc: ["body", "role_id"], msg: "Field required", type: "missing" }] },
    });
    expect(await vendorFailure(set())).toMatchObject({
      kind: "invalid",
      message: "body.role_id: Field required",
      vendorCode: "missing",
    });
    fake.failNext({ status: 403, body: { detail: "Not an enterprise admin" } });
    expect(await vendorFailure(set())).toMatchObject({ kind: "forbidden", message: "Not an enterprise admin" });
    fake.failNext({ status: 429, headers: { "retry-after": "12" }, body: { detail: "Rate limited" } });
    expect(await vendorFailure(set())).toMatchObject({ kind: "rate_limited", retryAfterMs: 12_000 });
    fake.failNext({ status: 429, body: { detail: "Rate limited" } });
    expect(await vendorFailure(set())).toMatchObject({ kind: "rate_limited", retryAfterMs: undefined });
    fake.failNext({ status: 500, raw: "Internal Server Error" });
    expect(await vendorFailure(set())).toMatchObject({ kind: "unavailable", message: "Internal Server Error" });
  });
});
