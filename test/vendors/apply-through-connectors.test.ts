// The whole path, for every vendor: a request filed through the real connector (roles and
// current role read from the fake vendor), approved in the database, and applied by the
// executor through the same connector — one write, exactly the seed's.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseConfig, type RolegateConfig } from "../../src/config/file.js";
import { Executor } from "../../src/executor/executor.js";
import { WorkQueue } from "../../src/requests/store/work-queue.js";
import { ApprovalPolicy } from "../../src/requests/approval-policy.js";
import { Filing } from "../../src/requests/filing.js";
import { ownAccessOf } from "../../src/requests/own-access.js";
import { RequestRepo } from "../../src/requests/store/request-repo.js";
import { RequestService } from "../../src/requests/request-service.js";
import { createDispatcher } from "../../src/vendors/http.js";
import { CONNECTOR_FACTORIES } from "../../src/vendors/index.js";
import { TargetConnectors } from "../../src/vendors/registry.js";
import { ManualClock } from "../support/clock.js";
import { openTestDatabase, quietLogger, resetData, type TestDatabase } from "../support/database.js";
import { AITRONOS_KEY, FakeAitronos } from "../support/fake-vendors/aitronos.js";
import { DEVIN_KEY, FakeDevin } from "../support/fake-vendors/devin.js";
import { DOLFIN_KEY, FakeDolfin } from "../support/fake-vendors/dolfin.js";
import { FakeSentry, SENTRY_TOKEN } from "../support/fake-vendors/sentry.js";

const ENV = { SENTRY_TOKEN, DEVIN_KEY, DOLFIN_KEY, AITRONOS_KEY };
let database: TestDatabase;
let sentry: FakeSentry, devin: FakeDevin, dolfin: FakeDolfin, aitronos: FakeAitronos;
let config: RolegateConfig,
  service: RequestService,
  filing: Filing,
  executor: Executor,
  repo: RequestRepo,
  clock: ManualClock;

beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

beforeEach(async () => {
  await resetData(database);
  sentry = new FakeSentry("acme");
  sentry.addMember("1", "bot-owner@example.com", "owner");
  sentry.addMember("2", "ada@example.com", "member", { teamRoles: [{ teamSlug: "backend", role: "contributor" }] });
  devin = new FakeDevin();
  devin.addUser("user-ada", "ada@example.com", { "org-a": "org_member" });
  devin.org("org-b");
  dolfin = new FakeDolfin("org-acme");
  dolfin.addUser("u-ada", "ada@example.com", "Member");
  aitronos = new FakeAitronos("org_acme01");
  aitronos.addMember("usr_ada001", "ada@example.com", "Member");
  await Promise.all([sentry.start(), devin.start(), dolfin.start(), aitronos.start()]);

  config = parseConfig(
    `
approvalChannel: C0123456789
approvers: { users: [U0APPROVE] }
targets:
  sentry-acme: { vendor: sentry, organization: acme, baseUrl: "${sentry.origin}", tokenEnv: SENTRY_TOKEN }
  devin-a: { vendor: devin, organization: org-a, baseUrl: "${devin.origin}", tokenEnv: DEVIN_KEY }
  devin-b: { vendor: devin, organization: org-b, baseUrl: "${devin.origin}", tokenEnv: DEVIN_KEY }
  dolfin-acme: { vendor: dolfin, organization: org-acme, baseUrl: "${dolfin.origin}", tokenEnv: DOLFIN_KEY }
  aitronos-acme: { vendor: aitronos, organization: org_acme01, baseUrl: "${aitronos.origin}", tokenEnv: AITRONOS_KEY }
`,
    "test",
    ENV,
  );
  clock = new ManualClock();
  const connectors = new TargetConnectors(
    config,
    CONNECTOR_FACTORIES,
    ENV,
    createDispatcher({ headersMs: 1_000, bodyMs: 1_000 }),
  );
  repo = new RequestRepo(database.prisma);
  const slackUsers = { emailOf: async (id: string) => (id === "U0APPROVE" ? "approver@example.com" : null) };
  const policy = new ApprovalPolicy(config, { membersOf: async () => new Set() });
  service = new RequestService({
    repo,
    policy,
    // The real check, asking each fake vendor whether it knows the approver.
    ownAccess: (actor, request) => ownAccessOf(actor, request, { slackUsers, connectors }),
    config,
    clock: clock.now,
    logger: quietLogger,
  });
  filing = new Filing({ repo, policy, settling: service, connectors, config, slackUsers, clock: clock.now });
  executor = new Executor({
    queue: new WorkQueue(database.prisma),
    connectors,
    config: config.executor,
    clock: clock.now,
    logger: quietLogger,
  });
});

afterEach(async () => {
  await Promise.all([sentry.stop(), devin.stop(), dolfin.stop(), aitronos.stop()]);
});

async function fileAndApply(kind: "SET_ROLE" | "ADD_TO_ORGS", targets: string[], role: string) {
  const filed = await filing.file({
    kind,
    targets,
    members: [{ kind: "email", email: "ada@example.com" }],
    role,
    reason: "test",
    requesterId: "U0REQUEST",
  });
  if (!filed.ok) throw new Error(filed.refusal.message);
  expect((await service.approve(filed.value.id, "U0APPROVE")).ok).toBe(true);
  expect(await executor.runOnce()).toBe(true);
  return (await repo.find(filed.value.id))!;
}

describe("an approved request, applied through each real connector", () => {
  it("Sentry: one PUT with orgRole and the member's current teamRoles", async () => {
    const request = await fileAndApply("SET_ROLE", ["sentry-acme"], "Manager");
    expect(request).toMatchObject({
      status: "APPLIED",
      members: [{ roleWhenFiled: "Member", previousRole: "Member", outcome: "APPLIED" }],
    });
    expect(sentry.writes().map((w) => [w.method, w.path, w.json])).toEqual([
      [
        "PUT",
        "/api/0/organizations/acme/members/2/",
        { orgRole: "manager", teamRoles: [{ teamSlug: "backend", role: "contributor" }] },
      ],
    ]);
  });

  it("Sentry: a time-bound grant of team roles puts back the org role and each team role when it ends, and takes the member out of a team it added", async () => {
    sentry.members.get("2")!.teamRoles.push({ teamSlug: "mobile", role: "admin" }); // a team the grant does not touch
    const filed = await filing.file({
      kind: "SET_ROLE",
      targets: ["sentry-acme"],
      members: [{ kind: "email", email: "ada@example.com" }],
      role: "Manager",
      teamRoles: [
        { team: "backend", role: "admin" },
        { team: "web", role: "contributor" },
      ],
      durationSeconds: 3_600,
      reason: "incident",
      requesterId: "U0REQUEST",
    });
    if (!filed.ok) throw new Error(filed.refusal.message);
    expect((await service.approve(filed.value.id, "U0APPROVE")).ok).toBe(true);
    expect(await executor.runOnce()).toBe(true);
    clock.advance(3_600_000);
    expect(await executor.runOnce()).toBe(true); // the revert
    expect(await executor.runOnce()).toBe(false);

    expect(sentry.writes().map((w) => w.json)).toEqual([
      {
        orgRole: "manager",
        teamRoles: [
          { teamSlug: "backend", role: "admin" },
          { teamSlug: "mobile", role: "admin" },
          { teamSlug: "web", role: "contributor" },
        ],
      },
      {
        orgRole: "member",
        teamRoles: [
          { teamSlug: "backend", role: "contributor" },
          { teamSlug: "mobile", role: "admin" },
        ],
      },
    ]);
    expect(sentry.members.get("2")).toMatchObject({
      orgRole: "member",
      teamRoles: [
        { teamSlug: "backend", role: "contributor" },
        { teamSlug: "mobile", role: "admin" },
      ],
    });
  });

  it("Devin set: one PATCH", async () => {
    const request = await fileAndApply("SET_ROLE", ["devin-a"], "Admin");
    expect(request.status).toBe("APPLIED");
    expect(devin.writes().map((w) => [w.method, w.path, w.json])).toEqual([
      ["PATCH", "/v2/enterprise/organizations/org-a/members/roles", { user_ids: ["user-ada"], role_id: "org_admin" }],
    ]);
  });

  it("Devin add to two organizations: one POST with both org_ids", async () => {
    const request = await fileAndApply("ADD_TO_ORGS", ["devin-a", "devin-b"], "org_member");
    expect(request.status).toBe("APPLIED");
    expect(devin.writes().map((w) => [w.method, w.path, w.json])).toEqual([
      [
        "POST",
        "/v2/enterprise/organizations/org-a/members",
        { user_ids: ["user-ada"], org_ids: ["org-a", "org-b"], org_role: "org_member" },
      ],
    ]);
    expect(devin.org("org-b").get("user-ada")).toBe("org_member");
  });

  it("Dolfin: one PATCH with both headers", async () => {
    const request = await fileAndApply("SET_ROLE", ["dolfin-acme"], "admin");
    expect(request.status).toBe("APPLIED");
    expect(dolfin.writes().map((w) => [w.method, w.path, w.json, w.headers["x-dolfin-organisation-id"]])).toEqual([
      ["PATCH", "/users/u-ada/role", { role: "Admin" }, "org-acme"],
    ]);
  });

  it("Aitronos: one PUT with this organization's role id", async () => {
    const request = await fileAndApply("SET_ROLE", ["aitronos-acme"], "Admin");
    expect(request.status).toBe("APPLIED");
    expect(aitronos.writes().map((w) => [w.method, w.path, w.json])).toEqual([
      ["PUT", "/v1/organizations/org_acme01/users/usr_ada001", { role_id: "role_admin_9f" }],
    ]);
  });

  it("a vendor refusal becomes FAILED with the vendor's words; a rate limit becomes a retry at its time", async () => {
    dolfin.failNext(
      {
        status: 403,
        headers: { "content-type": "application/problem+json" },
        body: { title: "User.Forbidden", status: 403, detail: "Caller is not Admin or Owner of this organisation." },
      },
      (r) => r.method === "PATCH",
    );
    const refused = await fileAndApply("SET_ROLE", ["dolfin-acme"], "Admin");
    expect(refused).toMatchObject({
      status: "FAILED",
      failureDetail: "Caller is not Admin or Owner of this organisation. (code User.Forbidden)",
    });

    aitronos.failNext(
      {
        status: 429,
        headers: { "x-ratelimit-reset-requests": "90" },
        body: { success: false, error: { code: "RATE_LIMITED", message: "Too many requests" } },
      },
      (r) => r.method === "PUT",
    );
    const limited = await fileAndApply("SET_ROLE", ["aitronos-acme"], "Admin");
    expect(limited).toMatchObject({
      status: "APPROVED",
      failureDetail: "Too many requests (code RATE_LIMITED) — the vendor asked to wait 90s",
    });
    expect(limited.nextAttemptAt!.getTime() - clock.now().getTime()).toBe(90_000); // Aitronos's reset, not our backoff
  });
});
