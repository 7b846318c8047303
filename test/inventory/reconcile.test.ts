// The ledger's rules without a vendor or a database: what explains a change, which changes
// alert under each alertOn, and what a listing that cannot be trusted may not do.
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/file.js";
import { alertPolicyOf } from "../../src/inventory/inventory-sync.js";
import { reconcile, type LedgerRow, type ReconcileInput } from "../../src/inventory/reconcile.js";
import { ApprovalPolicy } from "../../src/requests/approval-policy.js";
import type { VendorMember } from "../../src/vendors/connector.js";

const config = parseConfig(
  `
approvalChannel: C0123456789
approvers: { users: [U0AAAAAAA] }
targets:
  sentry-acme: { vendor: sentry, organization: acme, tokenEnv: T, approvals: { default: 1, owner: 2, "team:admin": 2 } }
  sentry-all: { vendor: sentry, organization: acme, tokenEnv: T, alertOn: all }
  sentry-listed: { vendor: sentry, organization: acme, tokenEnv: T, alertOn: [Admin] }
  sentry-off: { vendor: sentry, organization: acme, tokenEnv: T, inventory: { every: off } }
`,
  "test",
  { T: "token" },
);
const policy = new ApprovalPolicy(config, { membersOf: async () => new Set() });
const alertsOf = (target: string) => alertPolicyOf(config.targets.get(target)!, policy);

const OWNER = { id: "owner", name: "Owner" };
const ADMIN = { id: "admin", name: "Admin" };
const MEMBER = { id: "member", name: "Member" };
const T0 = new Date("2026-12-01T00:00:00Z");
const T1 = new Date("2026-12-01T06:00:00Z");

const row = (id: string, role = MEMBER, extra: Partial<LedgerRow> = {}): LedgerRow => ({
  vendorUserId: id,
  email: `${id}@example.com`,
  role,
  teamRoles: [],
  firstSeenAt: T0,
  lastSeenAt: T0,
  changedAt: T0,
  reason: "BEFORE_ROLEGATE",
  requestId: null,
  grantEndsAt: null,
  outsideChangeId: null,
  removedAt: null,
  ...extra,
});
const listed = (id: string, role = MEMBER, teamRoles: VendorMember["teamRoles"] = []): VendorMember => ({
  vendorUserId: id,
  email: `${id}@example.com`,
  role,
  teamRoles,
});

function input(overrides: Partial<ReconcileInput> & { members: VendorMember[]; rows: LedgerRow[] }): ReconcileInput {
  const { members, rows, ...rest } = overrides;
  return {
    now: T1,
    startedAt: T1,
    baseline: false,
    ledger: new Map(rows.map((r) => [r.vendorUserId, r])),
    listing: { members: new Map(members.map((m) => [m.vendorUserId, m])), complete: true, ambiguous: new Set() },
    applied: new Map(),
    inFlight: new Set(),
    alertedReverts: new Set(),
    alertsOn: alertsOf("sentry-acme"),
    ...rest,
  };
}

describe("which changes alert", () => {
  it("by default: into a role (or a team role) that needs more approvals than default", () => {
    const alerts = alertsOf("sentry-acme");
    expect(alerts(MEMBER, OWNER, [])).toBe(true);
    expect(alerts(MEMBER, ADMIN, [])).toBe(false);
    expect(alerts(MEMBER, MEMBER, [{ team: "infra", role: "admin" }])).toBe(true);
    expect(alerts(MEMBER, MEMBER, [{ team: "infra", role: "contributor" }])).toBe(false);
    expect(alerts(OWNER, null, [])).toBe(false);
  });

  it("alertOn: all alerts on every change, leaving included; a list, on changes into its roles by name or id", () => {
    expect(alertsOf("sentry-all")(ADMIN, MEMBER, [])).toBe(true);
    expect(alertsOf("sentry-all")(ADMIN, null, [])).toBe(true);
    expect(alertsOf("sentry-listed")(MEMBER, ADMIN, [])).toBe(true);
    expect(alertsOf("sentry-listed")(MEMBER, OWNER, [])).toBe(false);
  });

  it("inventory every: off is read as no schedule", () => {
    expect(config.targets.get("sentry-off")!.inventory).toEqual({ every: null });
    expect(config.inventory.every).toBe(6 * 3_600_000);
  });
});

describe("what explains a change", () => {
  it("a request that set the role after the member was last seen; one from before does not", () => {
    const applied = (at: Date) =>
      new Map([["a", { requestId: "REQ001", role: OWNER, appliedAt: at, revertOf: null, grantEndsAt: null }]]);
    const after = reconcile(input({ rows: [row("a")], members: [listed("a", OWNER)], applied: applied(T1) }));
    expect(after.changes).toMatchObject([
      { kind: "ROLE_CHANGED", reason: "REQUEST", requestId: "REQ001", alert: false },
    ]);

    const before = reconcile(
      input({ rows: [row("a", MEMBER, { lastSeenAt: T1 })], members: [listed("a", OWNER)], applied: applied(T0) }),
    );
    expect(before.changes).toMatchObject([{ reason: "OUTSIDE", requestId: null, alert: true }]);
  });

  it("Sentry team roles: a new team admin outside rolegate is a change of its own, and alerts", () => {
    const plan = reconcile(
      input({ rows: [row("a", MEMBER)], members: [listed("a", MEMBER, [{ team: "infra", role: "admin" }])] }),
    );
    expect(plan.changes).toMatchObject([
      { kind: "TEAMS_CHANGED", toTeamRoles: [{ team: "infra", role: "admin" }], alert: true },
    ]);
  });

  it("team roles a vendor did not list are not read as a change", () => {
    const member = { vendorUserId: "a", email: "a@example.com", role: MEMBER };
    const plan = reconcile(
      input({ rows: [row("a", MEMBER, { teamRoles: [{ team: "infra", role: "admin" }] })], members: [member] }),
    );
    expect(plan.changes).toEqual([]);
    expect(plan.seen).toEqual(["a"]);
  });
});

describe("removals", () => {
  it("a complete listing removes who it no longer lists; leaving alerts only under alertOn: all", () => {
    const plan = reconcile(input({ rows: [row("a", OWNER), row("b")], members: [listed("b")] }));
    expect(plan.changes).toMatchObject([{ kind: "LEFT", vendorUserId: "a", from: OWNER, to: null, alert: false }]);
    expect(plan.rows).toMatchObject([{ vendorUserId: "a", removedAt: T1 }]);
    const all = reconcile(input({ rows: [row("a", OWNER)], members: [], alertsOn: alertsOf("sentry-all") }));
    expect(all.changes).toMatchObject([{ kind: "LEFT", alert: true }]);
  });

  it("an incomplete listing removes nobody", () => {
    const plan = reconcile(
      input({
        rows: [row("a", OWNER), row("b")],
        members: [listed("b")],
        listing: { members: new Map([["b", listed("b")]]), complete: false, ambiguous: new Set() },
      }),
    );
    expect(plan.changes).toEqual([]);
    expect(plan.rows).toEqual([]);
  });

  it("a member with a request under way is neither judged nor removed", () => {
    const plan = reconcile(input({ rows: [row("a")], members: [listed("a", OWNER)], inFlight: new Set(["a"]) }));
    expect(plan).toMatchObject({ changes: [], rows: [], seen: [], skipped: 1 });
    const gone = reconcile(input({ rows: [row("a")], members: [], inFlight: new Set(["a"]) }));
    expect(gone.changes).toEqual([]);
  });
});
