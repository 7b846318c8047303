// A request as the domain sees it, built in memory: for tests of pure builders (cards, history,
// App Home) that need no database.
import { parseConfig } from "../../src/config/file.js";
import type { RoleRequest } from "../../src/requests/types.js";

export const { targets: sampleTargets } = parseConfig(
  `
approvalChannel: C0123456789
approvers: { users: [U0AAAAAAA] }
targets:
  sentry-acme: { vendor: sentry, organization: acme, tokenEnv: T }
`,
  "test",
  { T: "token-value" },
);

/** A pending Sentry request for one member, with one approval; override what a test is about. */
export const sampleRequest = (overrides: Partial<RoleRequest> = {}): RoleRequest => ({
  id: "7K2QXM",
  kind: "SET_ROLE",
  target: "sentry-acme",
  extraTargets: [],
  requestedRole: { id: "admin", name: "Admin" },
  teamRoles: null,
  reason: "on call",
  durationSeconds: null,
  grantEndsAt: null,
  revertOf: null,
  extendsGrant: null,
  takesBack: null,
  resolution: null,
  remindersSent: 0,
  escalatedAt: null,
  requesterId: "U0REQUEST",
  status: "PENDING",
  requiredApprovals: 2,
  expiresAt: new Date("2026-11-23T10:00:00Z"),
  decidedBy: null,
  decisionNote: null,
  decidedAt: null,
  failureDetail: null,
  failureCode: null,
  attempts: 0,
  nextAttemptAt: null,
  card: null,
  appliedAt: null,
  createdAt: new Date("2026-11-22T10:00:00Z"),
  updatedAt: new Date("2026-11-22T10:00:00Z"),
  members: [
    {
      position: 0,
      ref: "ada@example.com",
      email: "ada@example.com",
      vendorUserId: "1",
      roleWhenFiled: "Member",
      extraRolesWhenFiled: {},
      previousRole: null,
      previousRoleId: null,
      previousTeamRoles: null,
      outcome: "PENDING",
      outcomeDetail: null,
    },
  ],
  approvals: [{ approverId: "U0APPROVE", at: new Date("2026-11-22T10:05:00Z") }],
  ...overrides,
});
