// Every connector lists its organization's members page by page, at the largest page its vendor
// allows, through the vendor's own list endpoint: the inventory's only source. A page that
// cannot be read stops the listing with a clear error after the pages before it.
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/file.js";
import type { TargetConnector, VendorMember } from "../../src/vendors/connector.js";
import { CONNECTOR_FACTORIES } from "../../src/vendors/index.js";
import { TargetConnectors } from "../../src/vendors/registry.js";
import { AITRONOS_KEY, FakeAitronos } from "../support/fake-vendors/aitronos.js";
import { DEVIN_KEY, FakeDevin } from "../support/fake-vendors/devin.js";
import { DOLFIN_KEY, FakeDolfin } from "../support/fake-vendors/dolfin.js";
import type { FakeVendorServer, Received } from "../support/fake-vendors/server.js";
import { FakeSentry, SENTRY_TOKEN } from "../support/fake-vendors/sentry.js";
import { connectorFor } from "../support/vendor-target.js";

const started: FakeVendorServer[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.stop()));
});

async function run<T extends FakeVendorServer>(fake: T): Promise<T> {
  await fake.start();
  started.push(fake);
  return fake;
}

/** The pages as the connector yields them, and the error that stopped it, if one did. */
async function pagesOf(connector: TargetConnector): Promise<{ pages: VendorMember[][]; error: unknown }> {
  const pages: VendorMember[][] = [];
  try {
    for await (const page of connector.listMembers()) pages.push(page);
    return { pages, error: null };
  } catch (error) {
    return { pages, error };
  }
}

const listCalls = (fake: FakeVendorServer, match: (r: Received) => boolean) => fake.received.filter(match);

describe("Sentry", () => {
  const isList = (r: Received) => r.method === "GET" && r.path === "/api/0/organizations/acme/members/";

  it("follows the Link cursors 100 members at a time, with team roles, leaving out pending invitations", async () => {
    const fake = await run(new FakeSentry("acme"));
    fake.pageSize = 100;
    for (let i = 0; i < 250; i++) fake.addMember(`${i}`, `p${i}@example.com`, i === 7 ? "owner" : "member");
    fake.addMember("900", "ada@example.com", "admin", { teamRoles: [{ teamSlug: "infra", role: "admin" }] });
    fake.addMember("901", "invited@example.com", "owner", { pending: true });

    const { pages, error } = await pagesOf(connectorFor("sentry", "acme", fake.origin, SENTRY_TOKEN));

    expect(error).toBeNull();
    const calls = listCalls(fake, isList);
    expect(calls.map((r) => [r.query.get("per_page"), r.query.get("cursor")])).toEqual([
      ["100", null],
      ["100", "0:100:0"],
      ["100", "0:200:0"],
    ]);
    const members = pages.flat();
    expect(members).toHaveLength(251);
    expect(members.find((m) => m.vendorUserId === "7")!.role).toEqual({ id: "owner", name: "Owner" });
    expect(members.find((m) => m.vendorUserId === "900")).toEqual({
      vendorUserId: "900",
      email: "ada@example.com",
      role: { id: "admin", name: "Admin" },
      teamRoles: [{ team: "infra", role: "admin" }],
    });
    expect(members.some((m) => m.email === "invited@example.com")).toBe(false);
  });

  it("waits out a rate limit until Sentry's reset time, then goes on from the same page", async () => {
    const fake = await run(new FakeSentry("acme"));
    for (let i = 0; i < 3; i++) fake.addMember(`${i}`, `p${i}@example.com`, "member");
    const reset = Math.ceil(Date.now() / 1000) + 1;
    fake.failNext(
      { status: 429, raw: "Too many requests", headers: { "x-sentry-rate-limit-reset": String(reset) } },
      (r) => r.query.get("cursor") === "0:1:0",
    );

    const { pages, error } = await pagesOf(connectorFor("sentry", "acme", fake.origin, SENTRY_TOKEN));

    expect(error).toBeNull();
    expect(pages.flat().map((m) => m.vendorUserId)).toEqual(["0", "1", "2"]);
    const retried = listCalls(fake, isList).filter((r) => r.query.get("cursor") === "0:1:0");
    expect(retried).toHaveLength(2);
    expect(retried[1]!.at - retried[0]!.at).toBeGreaterThan(0);
  });
});

describe("Devin", () => {
  const isList = (r: Received) => r.path === "/v2/enterprise/organizations/org-a/members";

  it("reads the organization's members 200 at a time by skip and limit", async () => {
    const fake = await run(new FakeDevin());
    for (let i = 0; i < 450; i++)
      fake.addUser(`u${i}`, `p${i}@example.com`, { "org-a": i < 2 ? "org_admin" : "org_member" });
    fake.addUser("elsewhere", "x@example.com", { "org-b": "org_admin" });

    const { pages, error } = await pagesOf(connectorFor("devin", "org-a", fake.origin, DEVIN_KEY));

    expect(error).toBeNull();
    expect(listCalls(fake, isList).map((r) => [r.query.get("skip"), r.query.get("limit")])).toEqual([
      ["0", "200"],
      ["200", "200"],
      ["400", "200"],
    ]);
    expect(pages.map((p) => p.length)).toEqual([200, 200, 50]);
    expect(pages[0]![0]).toEqual({
      vendorUserId: "u0",
      email: "p0@example.com",
      role: { id: "org_admin", name: "Admin" },
    });
    expect(pages.flat().some((m) => m.vendorUserId === "elsewhere")).toBe(false);
  });

  it("goes on by what arrived when Devin sends fewer than the limit per page", async () => {
    const fake = await run(new FakeDevin());
    fake.orgPageSize = 3;
    for (let i = 0; i < 7; i++) fake.addUser(`u${i}`, `p${i}@example.com`, { "org-a": "org_member" });

    const { pages } = await pagesOf(connectorFor("devin", "org-a", fake.origin, DEVIN_KEY));

    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(listCalls(fake, isList).map((r) => r.query.get("skip"))).toEqual(["0", "3", "6"]);
  });
});

describe("Dolfin", () => {
  it("follows nextCursor 100 users at a time, and keeps a user with no email", async () => {
    const fake = await run(new FakeDolfin("org-acme"));
    fake.pageSize = 100;
    for (let i = 0; i < 230; i++) fake.addUser(`u${i}`, `p${i}@example.com`, i === 0 ? "Owner" : "Member");
    fake.users.get("u5")!.email = null as unknown as string; // an account whose email was removed

    const { pages, error } = await pagesOf(connectorFor("dolfin", "org-acme", fake.origin, DOLFIN_KEY));

    expect(error).toBeNull();
    const calls = listCalls(fake, (r) => r.path === "/organisations/org-acme/users");
    expect(calls.map((r) => [r.query.get("Limit"), r.query.get("Cursor")])).toEqual([
      ["100", null],
      ["100", "100"],
      ["100", "200"],
    ]);
    expect(pages.flat()).toHaveLength(230);
    expect(pages.flat().find((m) => m.vendorUserId === "u5")).toEqual({
      vendorUserId: "u5",
      email: null,
      role: { id: "Member", name: "Member" },
    });
  });

  it("stops at a page of another shape with the field named, after the pages before it", async () => {
    const fake = await run(new FakeDolfin("org-acme"));
    for (let i = 0; i < 6; i++) fake.addUser(`u${i}`, `p${i}@example.com`, "Member");
    fake.failNext(
      {
        status: 200,
        body: { data: [{ id: "u2", email: "p2@example.com", rank: "Member" }], hasMore: true, nextCursor: "3" },
      },
      (r) => r.query.get("Cursor") === "2",
    );

    const { pages, error } = await pagesOf(connectorFor("dolfin", "org-acme", fake.origin, DOLFIN_KEY));

    expect(pages.flat().map((m) => m.vendorUserId)).toEqual(["u0", "u1"]);
    expect(error).toMatchObject({ kind: "unavailable" });
    expect((error as Error).message).toMatch(
      /not what its API documents: data\[0\]\.role: .*\(GET \/organisations\/org-acme\/users\)/,
    );
  });
});

describe("Dolfin, with a wrong key", () => {
  it("fails the first page, with nothing listed", async () => {
    const fake = await run(new FakeDolfin("org-acme"));
    fake.addUser("u0", "p0@example.com", "Member");
    const { pages, error } = await pagesOf(connectorFor("dolfin", "org-acme", fake.origin, "wrong"));
    expect(pages).toEqual([]);
    expect(error).toMatchObject({ kind: "forbidden", httpStatus: 401 });
  });
});

describe("Aitronos", () => {
  const isList = (r: Received) => r.method === "POST" && r.path === "/v1/organizations/org_acme01/users";

  it.each(["members", "users"] as const)(
    "reads the member search 100 at a time in its %s shape, until the total",
    async (shape) => {
      const fake = await run(new FakeAitronos("org_acme01"));
      fake.shape = shape;
      for (let i = 0; i < 205; i++) fake.addMember(`usr_${i}`, `p${i}@example.com`, i === 0 ? "Owner" : "Member");

      const { pages, error } = await pagesOf(connectorFor("aitronos", "org_acme01", fake.origin, AITRONOS_KEY));

      expect(error).toBeNull();
      expect(listCalls(fake, isList).map((r) => r.json)).toEqual([
        { skip: 0, take: 100 },
        { skip: 100, take: 100 },
        { skip: 200, take: 100 },
      ]);
      expect(pages.flat()).toHaveLength(205);
      expect(pages[0]![0]).toEqual({
        vendorUserId: "usr_0",
        email: "p0@example.com",
        role: { id: "role_owner_9f", name: "Owner" },
      });
    },
  );

  it("a page the vendor refuses ends the listing with its words", async () => {
    const fake = await run(new FakeAitronos("org_acme01"));
    fake.pageSize = 2;
    for (let i = 0; i < 5; i++) fake.addMember(`usr_${i}`, `p${i}@example.com`, "Member");
    // Read retries are quick: a failure on every try of the second page.
    for (let i = 0; i < 3; i++)
      fake.failNext(
        {
          status: 500,
          body: { success: false, error: { code: "INTERNAL", message: "Database timeout", trace_id: "t-1" } },
        },
        (r) => isList(r) && (r.json as { skip: number }).skip === 2,
      );

    const { pages, error } = await pagesOf(connectorFor("aitronos", "org_acme01", fake.origin, AITRONOS_KEY));

    expect(pages.flat().map((m) => m.vendorUserId)).toEqual(["usr_0", "usr_1"]);
    expect(error).toMatchObject({ kind: "unavailable", message: "Database timeout", requestId: "t-1" });
  });
});

describe("through the process's connectors", () => {
  it("a listed member's text is scrubbed of credentials, and each page is one call reported", async () => {
    const fake = await run(new FakeDolfin("org-acme"));
    fake.pageSize = 1;
    fake.addUser("u0", "p0@example.com", "Member");
    fake.addUser("u1", `leak-${DOLFIN_KEY}@example.com`, "Admin");
    const config = parseConfig(
      `approvalChannel: C0123456789\napprovers: { users: [U0AAAAAAA] }\ntargets:\n  t: { vendor: dolfin, organization: org-acme, baseUrl: "${fake.origin}", tokenEnv: K }\n`,
      "test",
      { K: DOLFIN_KEY },
    );
    const observed: string[] = [];
    const connectors = new TargetConnectors(
      config,
      CONNECTOR_FACTORIES,
      { K: DOLFIN_KEY },
      undefined,
      (_v, op, outcome) => observed.push(`${op}:${outcome}`),
    );

    const { pages } = await pagesOf(connectors.forTarget("t"));

    expect(pages.flat().map((m) => m.email)).toEqual(["p0@example.com", expect.not.stringContaining(DOLFIN_KEY)]);
    expect(observed).toEqual(["list_members:ok", "list_members:ok"]);
  });
});
