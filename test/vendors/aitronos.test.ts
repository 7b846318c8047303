import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { byEmail, connectorFor, vendorFailure } from "../support/vendor-target.js";
import { AITRONOS_KEY, FakeAitronos } from "../support/fake-vendors/aitronos.js";

const ORG = "org_acme01";
let fake: FakeAitronos;

beforeEach(async () => {
  fake = new FakeAitronos(ORG);
  fake.addMember("usr_ada001", "ada@example.com", "Member");
  fake.addMember("usr_adam01", "adam@example.com", "Admin");
  fake.addMember("usr_own001", "boss@example.com", "Owner");
  await fake.start();
});
afterEach(async () => {
  await fake.stop();
});

const connector = () => connectorFor("aitronos", ORG, fake.origin, AITRONOS_KEY);

const lookup = byEmail;

describe("Aitronos", () => {
  it("makes seed 002's call exactly: PUT …/users/{user_id} {role_id} with X-API-Key, the role resolved by name", async () => {
    const ait = connector();
    const ada = (await ait.findMember(lookup("ada@example.com")))!;
    expect(ada).toEqual({
      vendorUserId: "usr_ada001",
      email: "ada@example.com",
      role: { id: "role_member_9f", name: "Member" },
    });

    // The role as another organization would name its id: resolved here by name.
    await ait.setRole({ members: [ada], role: { id: "role_admin_elsewhere", name: "Admin" }, teamRoles: null });
    const [put] = fake.writes();
    expect(put).toMatchObject({ method: "PUT", path: `/v1/organizations/${ORG}/users/usr_ada001` });
    expect(put!.json).toEqual({ role_id: "role_admin_9f" });
    expect(put!.headers).toMatchObject({ "x-api-key": AITRONOS_KEY, "content-type": "application/json" });
  });

  it("matches the fuzzy search's results exactly, in either documented shape, and pages through them", async () => {
    for (const shape of ["members", "users"] as const) {
      fake.shape = shape;
      const ait = connector();
      expect(await ait.findMember(lookup("ADA@example.com")), shape).toMatchObject({
        vendorUserId: "usr_ada001",
        role: { name: "Member" },
      });
      expect(await ait.findMember(lookup("ad@example.com")), shape).toBeNull();
      expect(
        await ait.findMember({ ref: "id:usr_adam01", email: null, vendorUserId: "usr_adam01" }),
        shape,
      ).toMatchObject({ role: { id: "role_admin_9f", name: "Admin" } });
      expect(
        (await ait.listRoles()).map((r) => r.name),
        shape,
      ).toEqual(["Owner", "Admin", "Member", "Department Manager"]);
    }
    fake.pageSize = 1;
    expect(await connector().findMember(lookup("adam@example.com"))).toMatchObject({ vendorUserId: "usr_adam01" });
    expect(
      fake.received
        .filter((r) => r.method === "POST")
        .map((r) => (r.json as { skip: number }).skip)
        .slice(-2),
    ).toEqual([0, 1]);
  });

  it("an answer of neither documented shape fails naming what is missing, and is not taken for 'no such member'", async () => {
    fake.failNext({ status: 200, body: { members: [{ user_id: "usr_x", email: "ada@example.com" }], total: 1 } });
    expect(await vendorFailure(connector().findMember(lookup("ada@example.com")))).toMatchObject({
      kind: "unavailable",
      message: `The vendor's answer was not what its API documents: members[0]: a member has no user_id or role (POST /v1/organizations/${ORG}/users)`,
    });
    fake.failNext({ status: 200, body: { total: 0 } });
    expect(await vendorFailure(connector().findMember(lookup("ada@example.com")))).toMatchObject({
      message: expect.stringContaining("the answer: the member search returned neither members nor users"),
    });
  });

  it("refuses to change the organization owner's role before calling", async () => {
    const ait = connector();
    const boss = (await ait.findMember(lookup("boss@example.com")))!;
    expect(
      await vendorFailure(ait.setRole({ members: [boss], role: { id: "x", name: "Member" }, teamRoles: null })),
    ).toMatchObject({
      kind: "forbidden",
      message: "boss@example.com owns the Aitronos organization; Aitronos does not allow changing the owner's role.",
    });
    expect(fake.writes()).toHaveLength(0);
  });

  it("keeps Aitronos's error code, message and trace id; rate limits wait for its reset header", async () => {
    const ait = connector();
    const ada = (await ait.findMember(lookup("ada@example.com")))!;
    const set = () => ait.setRole({ members: [ada], role: { id: "x", name: "Admin" }, teamRoles: null });
    fake.failNext(
      {
        status: 403,
        body: {
          success: false,
          error: {
            code: "INSUFFICIENT_PERMISSIONS",
            message: "You don't have permission to access this resource",
            trace_id: "req_abc123xyz",
            status: 403,
          },
        },
      },
      (r) => r.method === "PUT",
    );
    expect((await vendorFailure(set())).describe()).toBe(
      "You don't have permission to access this resource (code INSUFFICIENT_PERMISSIONS, request id req_abc123xyz)",
    );
    fake.failNext(
      {
        status: 429,
        headers: { "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "6m0s" },
        body: { success: false, error: { code: "RATE_LIMITED", message: "Too many requests" } },
      },
      (r) => r.method === "PUT",
    );
    expect(await vendorFailure(set())).toMatchObject({ kind: "rate_limited", retryAfterMs: 360_000 });
    fake.failNext(
      { status: 404, body: { success: false, error: { code: "MEMBER_NOT_FOUND", message: "Member not found" } } },
      (r) => r.method === "PUT",
    );
    expect(await vendorFailure(set())).toMatchObject({ kind: "not_found", vendorCode: "MEMBER_NOT_FOUND" });
    fake.failNext({ status: 502, raw: "Bad Gateway" }, (r) => r.method === "PUT");
    expect(await vendorFailure(set())).toMatchObject({ kind: "unavailable", httpStatus: 502 });
  });

  it("with several members, one refused after another succeeded, reports the one already changed", async () => {
    fake.addMember("usr_bea001", "bea@example.com", "Member");
    const ait = connector();
    const ada = (await ait.findMember(lookup("ada@example.com")))!;
    const bea = (await ait.findMember(lookup("bea@example.com")))!;
    fake.failNext(
      { status: 409, body: { success: false, error: { code: "CONFLICT", message: "Member is being modified" } } },
      (r) => r.method === "PUT" && r.path.endsWith("usr_bea001"),
    );
    expect(
      await vendorFailure(ait.setRole({ members: [ada, bea], role: { id: "x", name: "Admin" }, teamRoles: null })),
    ).toMatchObject({
      kind: "conflict",
      completedMemberIds: ["usr_ada001"],
    });
  });
});
