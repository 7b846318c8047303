import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connectorFor, vendorFailure } from "../support/vendor-target.js";
import { DOLFIN_KEY, FakeDolfin } from "../support/fake-vendors/dolfin.js";

const ORG = "3f1c9a52-0000-4000-8000-00000000acme";
let fake: FakeDolfin;

beforeEach(async () => {
  fake = new FakeDolfin(ORG);
  fake.addUser("u-ada", "ada@example.com", "Member");
  fake.addUser("u-bob", "bob@example.com", "Admin");
  fake.addUser("u-cy", "cy@example.com", "Owner");
  fake.addUser("u-di", "di@example.com", "Member");
  await fake.start();
});
afterEach(async () => {
  await fake.stop();
});

const connector = (key = DOLFIN_KEY) => connectorFor("dolfin", ORG, fake.origin, key);

describe("Dolfin", () => {
  it("makes seed 003's call exactly: PATCH /users/{id}/role {role} with both headers", async () => {
    const dolfin = connector();
    const ada = (await dolfin.findMember({ ref: "ada@example.com", email: "ada@example.com", vendorUserId: null }))!;
    expect(ada).toEqual({ vendorUserId: "u-ada", email: "ada@example.com", role: { id: "Member", name: "Member" } });

    await dolfin.setRole({ members: [ada], role: { id: "admin", name: "admin" }, teamRoles: null });

    const [write] = fake.writes();
    expect(write).toMatchObject({ method: "PATCH", path: "/users/u-ada/role", raw: '{"role":"Admin"}' });
    expect(write!.headers).toMatchObject({
      "x-dolfin-api-key": DOLFIN_KEY,
      "x-dolfin-organisation-id": ORG,
      "content-type": "application/json",
    });
    expect(fake.users.get("u-ada")!.role).toBe("Admin");
  });

  it("lists its three fixed roles and finds members by email or id across pages", async () => {
    const dolfin = connector();
    expect((await dolfin.listRoles()).map((r) => r.name)).toEqual(["Member", "Admin", "Owner"]);
    expect(await dolfin.findMember({ ref: "id:u-di", email: null, vendorUserId: "u-di" })).toMatchObject({
      email: "di@example.com",
    });
    expect(fake.received.filter((r) => r.path.endsWith("/users")).map((r) => r.query.get("Cursor"))).toEqual([
      null,
      "2",
    ]);
    expect(
      await dolfin.findMember({ ref: "zed@example.com", email: "zed@example.com", vendorUserId: null }),
    ).toBeNull();
    expect(fake.received.at(-1)!.query.get("Email")).toBe("zed@example.com");
  });

  it("re-reads a member known by id and email with one call, and still finds one whose email changed at Dolfin", async () => {
    for (let i = 0; i < 50; i++) fake.addUser(`u-${i}`, `p${i}@example.com`, "Member");
    const dolfin = connector();
    expect(
      await dolfin.findMember({ ref: "di@example.com", email: "di@example.com", vendorUserId: "u-di" }),
    ).toMatchObject({ vendorUserId: "u-di", role: { id: "Member" } });
    expect(fake.received.map((r) => r.query.get("Email"))).toEqual(["di@example.com"]);

    fake.users.get("u-di")!.email = "di.new@example.com";
    fake.received.length = 0;
    expect(
      await dolfin.findMember({ ref: "di@example.com", email: "di@example.com", vendorUserId: "u-di" }),
    ).toMatchObject({ vendorUserId: "u-di", email: "di.new@example.com" });
    expect(fake.received.length).toBeGreaterThan(1); // the email found no one: every page was read

    // Someone else now holds the address: the id decides, never the email.
    fake.addUser("u-impostor", "di@example.com", "Owner");
    expect(
      await dolfin.findMember({ ref: "di@example.com", email: "di@example.com", vendorUserId: "u-di" }),
    ).toMatchObject({ vendorUserId: "u-di", role: { id: "Member" } });
  });

  it("refuses to demote the only Owner before calling, and says why", async () => {
    const dolfin = connector();
    const cy = (await dolfin.findMember({ ref: "cy@example.com", email: "cy@example.com", vendorUserId: null }))!;
    const error = await vendorFailure(
      dolfin.setRole({ members: [cy], role: { id: "Admin", name: "Admin" }, teamRoles: null }),
    );
    expect(error).toMatchObject({
      kind: "conflict",
      vendorCode: "User.LastOwner",
      message: "cy@example.com is the only Owner of " + ORG + "; make someone else Owner first.",
    });
    expect(fake.writes()).toHaveLength(0);
  });

  it("refuses a change that would demote every Owner at once, before the first write", async () => {
    fake.addUser("u-eve", "eve@example.com", "Owner");
    const dolfin = connector();
    const owners = await Promise.all(
      ["cy@example.com", "eve@example.com"].map(
        async (email) => (await dolfin.findMember({ ref: email, email, vendorUserId: null }))!,
      ),
    );
    const error = await vendorFailure(
      dolfin.setRole({ members: owners, role: { id: "Admin", name: "Admin" }, teamRoles: null }),
    );
    expect(error).toMatchObject({
      kind: "conflict",
      vendorCode: "User.LastOwner",
      message: `cy@example.com, eve@example.com are all the Owners of ${ORG}; demoting them would leave none. Make someone else Owner first.`,
    });
    expect(fake.writes()).toHaveLength(0);
  });

  it("maps each documented problem to its kind, keeping Dolfin's words, code and trace id", async () => {
    const dolfin = connector();
    const ada = { vendorUserId: "u-ada", email: "ada@example.com", role: { id: "Member", name: "Member" } };
    const gone = { ...ada, vendorUserId: "u-gone" };
    fake.callerIsAdmin = false;
    expect(
      await vendorFailure(dolfin.setRole({ members: [ada], role: { id: "Admin", name: "Admin" }, teamRoles: null })),
    ).toMatchObject({
      kind: "forbidden",
      vendorCode: "User.Forbidden",
      message: "Caller is not Admin or Owner of this organisation.",
      requestId: "00-trace-dolfin-01",
    });
    fake.callerIsAdmin = true;
    expect(
      await vendorFailure(dolfin.setRole({ members: [gone], role: { id: "Admin", name: "Admin" }, teamRoles: null })),
    ).toMatchObject({
      kind: "not_found",
      vendorCode: "User.NotInOrganisation",
    });
    fake.failNext({
      status: 409,
      headers: { "content-type": "application/problem+json" },
      body: { title: "User.LastOwner", status: 409, detail: "Cannot demote the last Owner of the organisation." },
    });
    expect(
      await vendorFailure(dolfin.setRole({ members: [ada], role: { id: "Admin", name: "Admin" }, teamRoles: null })),
    ).toMatchObject({
      kind: "conflict",
      vendorCode: "User.LastOwner",
    });
    fake.failNext({
      status: 400,
      headers: { "content-type": "application/problem+json" },
      body: { title: "User.MissingRole", status: 400, detail: "Role is required." },
    });
    expect(
      await vendorFailure(dolfin.setRole({ members: [ada], role: { id: "Admin", name: "Admin" }, teamRoles: null })),
    ).toMatchObject({
      kind: "invalid",
      vendorCode: "User.MissingRole",
    });
    expect(
      await vendorFailure(connector("wrong-key").findMember({ ref: "x", email: "x@y.z", vendorUserId: null })),
    ).toMatchObject({ kind: "forbidden", httpStatus: 401 });
  });

  it("a rate limit carries its Retry-After; a 500, a hang or a non-JSON answer is 'unavailable', never a crash", async () => {
    const dolfin = connector();
    const ada = { vendorUserId: "u-ada", email: "ada@example.com", role: { id: "Member", name: "Member" } };
    const set = () => dolfin.setRole({ members: [ada], role: { id: "Admin", name: "Admin" }, teamRoles: null });
    fake.failNext({ status: 429, headers: { "retry-after": "7" }, body: { title: "TooManyRequests" } });
    expect(await vendorFailure(set())).toMatchObject({ kind: "rate_limited", retryAfterMs: 7_000 });
    fake.failNext({ status: 429, body: {} });
    expect(await vendorFailure(set())).toMatchObject({ kind: "rate_limited", retryAfterMs: undefined });
    fake.failNext({ status: 500, raw: "<html>Internal Server Error</html>" });
    expect(await vendorFailure(set())).toMatchObject({ kind: "unavailable", httpStatus: 500 });
    fake.failNext({ status: 200, raw: "{not json", headers: { "content-type": "application/json" } });
    expect(await vendorFailure(set())).toMatchObject({
      kind: "unavailable",
      message: expect.stringContaining("not JSON"),
    });
    fake.failNext({ hang: true });
    expect(await vendorFailure(set())).toMatchObject({
      kind: "unavailable",
      message: "the vendor did not answer in time",
    });
    expect(fake.writes()).toHaveLength(5); // writes are never retried here: the executor owns attempts
  });

  it("a read that fails transiently is retried quickly", async () => {
    fake.failNext({ status: 503, body: {} });
    expect(
      await connector().findMember({ ref: "ada@example.com", email: "ada@example.com", vendorUserId: null }),
    ).toMatchObject({ vendorUserId: "u-ada" });
    expect(fake.received).toHaveLength(2);
  });

  it("an answer that is not the documented shape is a clear error naming the field", async () => {
    fake.failNext({ status: 200, body: { items: [] } });
    expect(await vendorFailure(connector().findMember({ ref: "a", email: "a@b.c", vendorUserId: null }))).toMatchObject(
      {
        kind: "unavailable",
        message: `The vendor's answer was not what its API documents: data: Invalid input: expected array, received undefined (GET /organisations/${ORG}/users)`,
      },
    );
    fake.failNext({
      status: 200,
      body: {
        data: [
          { id: "u-1", email: "a@b.c", role: "Member" },
          { id: "u-2", email: "b@b.c", rank: "Admin" },
        ],
        hasMore: false,
      },
    });
    expect(await vendorFailure(connector().findMember({ ref: "a", email: "x@b.c", vendorUserId: null }))).toMatchObject(
      {
        message: expect.stringContaining("documents: data[1].role: Invalid input: expected string, received undefined"),
      },
    );
  });
});
