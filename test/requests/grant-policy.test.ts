// Policy as code in rolegate.yml: how long a role may be granted, whether it may be granted for
// good, and who may ask — checked when filing and, for who may ask, again at approval.
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/file.js";
import { ApprovalPolicy } from "../../src/requests/approval-policy.js";
import type { ResolvedRequest } from "../../src/requests/filing.js";
import { RequestService } from "../../src/requests/request-service.js";
import { quietLogger } from "../support/database.js";
import { APPROVER, REQUESTER, StaticDirectory, TEST_ENV, useWorld } from "../support/world.js";

const t = useWorld();

const POLICY_YAML = `
approvalChannel: C0APPROVALS
approvers: { users: [${APPROVER}] }
targets:
  dolfin-acme:
    vendor: dolfin
    organization: org-acme
    tokenEnv: DOLFIN_TOKEN
    maxDuration: { default: 30d, owner: 8h }
    requireDuration: { owner: true }
    requesters: { usergroups: [S0ONCALL1] }
`;

function policyWorld() {
  const config = parseConfig(POLICY_YAML, "test", TEST_ENV);
  const directory = new StaticDirectory({ S0ONCALL1: [REQUESTER] });
  const policy = new ApprovalPolicy(config, directory);
  const service = new RequestService({
    repo: t.world.repo,
    policy,
    ownAccess: async () => ({ kind: "none" }),
    config,
    clock: t.world.clock.now,
    logger: quietLogger,
  });
  const filing = t.world.filingWith({ policy, config, settling: service });
  const file = (overrides: Partial<ResolvedRequest> = {}) =>
    filing.record({
      kind: "SET_ROLE",
      target: "dolfin-acme",
      requestedRole: { id: "Owner", name: "Owner" },
      durationSeconds: 3_600,
      reason: "incident",
      requesterId: REQUESTER,
      members: [{ ref: "ada@example.com", email: "ada@example.com", vendorUserId: "usr_1", roleWhenFiled: "Member" }],
      ...overrides,
    });
  return { service, directory, file };
}

describe("policy in rolegate.yml", () => {
  it("a grant longer than the role's maxDuration is refused, naming the limit", async () => {
    const { file } = policyWorld();
    expect(await file({ durationSeconds: 2 * 86_400 })).toMatchObject({
      ok: false,
      refusal: { code: "policy", message: "Owner in dolfin-acme can be granted for at most 8h; you asked for 2d." },
    });
    expect(await file({ requestedRole: { id: "Admin", name: "Admin" }, durationSeconds: 40 * 86_400 })).toMatchObject({
      ok: false,
      refusal: { message: "Admin in dolfin-acme can be granted for at most 30d; you asked for 40d." },
    });
    expect(await file({ durationSeconds: 8 * 3_600 })).toMatchObject({ ok: true });
  });

  it("a permanent Owner is refused where requireDuration says so; a permanent Admin is not", async () => {
    const { file } = policyWorld();
    expect(await file({ durationSeconds: null })).toMatchObject({
      ok: false,
      refusal: {
        code: "policy",
        message:
          "Owner in dolfin-acme is only granted for a while: ask for a duration, e.g. `for 8h` after the role (in the form, pick one).",
      },
    });
    expect(await file({ requestedRole: { id: "Admin", name: "Admin" }, durationSeconds: null })).toMatchObject({
      ok: true,
    });
  });

  it("someone not among the target's requesters cannot file", async () => {
    const { file } = policyWorld();
    expect(await file({ requesterId: "U0OUTSIDE" })).toMatchObject({
      ok: false,
      refusal: { code: "requester_not_allowed" },
    });
    expect(await t.database.prisma.roleRequest.count()).toBe(0);
  });

  it("an approval does not count once the requester is no longer among the requesters", async () => {
    const { file, service, directory } = policyWorld();
    const filed = await file();
    if (!filed.ok) throw new Error(filed.refusal.message);
    directory.groups.S0ONCALL1 = []; // left the on-call group
    expect(await service.approve(filed.value.id, APPROVER)).toMatchObject({
      ok: false,
      refusal: { code: "requester_not_allowed" },
    });
    expect((await t.world.repo.find(filed.value.id))?.approvals).toEqual([]);
  });
});
