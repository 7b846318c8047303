import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/file.js";
import { ApprovalPolicy, unknownRoleKeys } from "../../src/requests/approval-policy.js";
import { StaticDirectory } from "../support/world.js";

const config = parseConfig(
  `
approvalChannel: C0123456789
approvers: { users: [U0GLOBAL1], usergroups: [S0ADMINS1] }
targets:
  sentry-acme: { vendor: sentry, organization: acme, tokenEnv: T, approvals: { default: 1, Owner: 2, "team:admin": 2 } }
  devin-a: { vendor: devin, organization: a, tokenEnv: T, approvals: { org_admin: 3 }, approvers: { users: [U0DEVINAD] } }
  devin-b: { vendor: devin, organization: b, tokenEnv: T }
`,
  "test",
  { T: "token-value" },
);
const directory = new StaticDirectory({ S0ADMINS1: ["U0INGROUP"] });
const policy = new ApprovalPolicy(config, directory);
const target = (name: string) => config.targets.get(name)!;

describe("who may decide", () => {
  it("the config's users and the members of its user groups", async () => {
    expect(await policy.mayDecide("U0GLOBAL1", ["sentry-acme"])).toBe(true);
    expect(await policy.mayDecide("U0INGROUP", ["sentry-acme"])).toBe(true);
    expect(await policy.mayDecide("U0NOBODY1", ["sentry-acme"])).toBe(false);
  });

  it("a target's own approvers replace the global ones for it", async () => {
    expect(await policy.mayDecide("U0DEVINAD", ["devin-a"])).toBe(true);
    expect(await policy.mayDecide("U0GLOBAL1", ["devin-a"])).toBe(false);
  });

  it("a request touching several targets needs an approver of every one", async () => {
    expect(await policy.mayDecide("U0DEVINAD", ["devin-a", "devin-b"])).toBe(false);
    expect(await policy.mayDecide("U0GLOBAL1", ["devin-b"])).toBe(true);
  });

  it("nobody decides for a target that is no longer configured", async () => {
    expect(await policy.mayDecide("U0GLOBAL1", ["removed"])).toBe(false);
  });
});

describe("approvals required", () => {
  it("by role name or id in any case, else the default, else one", () => {
    expect(policy.requiredApprovals([target("sentry-acme")], { id: "owner", name: "Owner" })).toBe(2);
    expect(policy.requiredApprovals([target("sentry-acme")], { id: "admin", name: "Admin" })).toBe(1);
    expect(policy.requiredApprovals([target("devin-a")], { id: "org_admin", name: "Admin" })).toBe(3);
    expect(policy.requiredApprovals([target("devin-a")], { id: "org_member", name: "Member" })).toBe(1);
  });

  it("the largest count among the targets of one request", () => {
    expect(policy.requiredApprovals([target("devin-b"), target("devin-a")], { id: "org_admin", name: "Admin" })).toBe(
      3,
    );
  });
});

describe("Sentry team roles count", () => {
  it("asking to be a team admin needs what team:admin says, even with a plain org role", () => {
    const member = { id: "member", name: "Member" };
    expect(policy.requiredApprovals([target("sentry-acme")], member, [{ team: "backend", role: "admin" }])).toBe(2);
    expect(policy.requiredApprovals([target("sentry-acme")], member, [{ team: "backend", role: "contributor" }])).toBe(
      1,
    );
  });

  it("approvals keys must name a role of the target (or a Sentry team role); the others are named", () => {
    const roles = [
      { id: "member", name: "Member" },
      { id: "owner", name: "Owner" },
    ];
    expect(unknownRoleKeys(target("sentry-acme"), roles)).toEqual([]);
    expect(
      unknownRoleKeys(
        {
          vendor: "dolfin",
          approvals: { default: 1, ownr: 2, "team:admin": 2 },
          maxDuration: { admn: 1 },
          requireDuration: { owner: true },
        },
        roles,
      ),
    ).toEqual([
      { map: "approvals", key: "ownr" },
      { map: "approvals", key: "team:admin" },
      { map: "maxDuration", key: "admn" },
    ]);
  });
});
