// The inventory through rolegate's real connectors against each vendor's HTTP fake, listing page
// by page: the baseline, then a change made in the vendor's own UI found once and alerted.
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/file.js";
import { ApprovalPolicy } from "../../src/requests/approval-policy.js";
import { CONNECTOR_FACTORIES } from "../../src/vendors/index.js";
import { TargetConnectors } from "../../src/vendors/registry.js";
import { wireInventory } from "../../src/wire-inventory.js";
import { quietLogger } from "../support/database.js";
import { AITRONOS_KEY, FakeAitronos } from "../support/fake-vendors/aitronos.js";
import { DEVIN_KEY, FakeDevin } from "../support/fake-vendors/devin.js";
import { DOLFIN_KEY, FakeDolfin } from "../support/fake-vendors/dolfin.js";
import type { FakeVendorServer } from "../support/fake-vendors/server.js";
import { FakeSentry, SENTRY_TOKEN } from "../support/fake-vendors/sentry.js";
import { useWorld } from "../support/world.js";

const t = useWorld();
const started: FakeVendorServer[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.stop()));
});

/** Each vendor's fake with 7 members on pages of 3, one of whom the test then makes Owner/Admin. */
const VENDORS = {
  sentry: async () => {
    const fake = new FakeSentry("acme");
    fake.pageSize = 3;
    fake.addMember("1", "bot@example.com", "owner");
    for (let i = 2; i <= 7; i++) fake.addMember(`${i}`, `p${i}@example.com`, "member");
    return {
      fake,
      org: "acme",
      key: SENTRY_TOKEN,
      promote: () => (fake.members.get("4")!.orgRole = "owner"),
      to: "Owner",
    };
  },
  devin: async () => {
    const fake = new FakeDevin();
    fake.orgPageSize = 3;
    for (let i = 1; i <= 7; i++) fake.addUser(`u${i}`, `p${i}@example.com`, { "org-a": "org_member" });
    return { fake, org: "org-a", key: DEVIN_KEY, promote: () => fake.org("org-a").set("u4", "org_admin"), to: "Admin" };
  },
  dolfin: async () => {
    const fake = new FakeDolfin("org-acme");
    fake.pageSize = 3;
    for (let i = 1; i <= 7; i++) fake.addUser(`u${i}`, `p${i}@example.com`, i === 1 ? "Owner" : "Member");
    return {
      fake,
      org: "org-acme",
      key: DOLFIN_KEY,
      promote: () => (fake.users.get("u4")!.role = "Owner"),
      to: "Owner",
    };
  },
  aitronos: async () => {
    const fake = new FakeAitronos("org_acme01");
    fake.pageSize = 3;
    fake.shape = "users";
    for (let i = 1; i <= 7; i++) fake.addMember(`usr_${i}`, `p${i}@example.com`, i === 1 ? "Owner" : "Member");
    return {
      fake,
      org: "org_acme01",
      key: AITRONOS_KEY,
      promote: () => (fake.members.get("usr_4")!.role_id = "role_admin_9f"),
      to: "Admin",
    };
  },
};

describe.each(Object.keys(VENDORS) as (keyof typeof VENDORS)[])("%s", (vendor) => {
  it("lists page by page; a change made at the vendor is alerted once", async () => {
    const { fake, org, key, promote, to } = await VENDORS[vendor]();
    await fake.start();
    started.push(fake);
    const config = parseConfig(
      `approvalChannel: C0APPROVALS
approvers: { users: [U0APPROVE] }
targets:
  t: { vendor: ${vendor}, organization: "${org}", baseUrl: "${fake.origin}", tokenEnv: K, alertOn: [owner, admin, org_admin] }
`,
      "test",
      { K: key },
    );
    const reports: { changes: number; alerts: bigint[]; calls: number; members: number }[] = [];
    const { store, loop } = wireInventory({
      database: t.database,
      config,
      connectors: new TargetConnectors(config, CONNECTOR_FACTORIES, { K: key }),
      policy: new ApprovalPolicy(config, t.world.directory),
      filing: t.world.filing,
      slackUsers: t.world.slackUsers,
      publisher: { post: async () => "1.0", update: async () => undefined },
      clock: t.world.clock.now,
      logger: quietLogger,
      onSynced: (report) => reports.push(report),
    });
    const sync = async () => {
      await store.requestSync("t", "U0APPROVE");
      await loop.tick();
      await loop.idle();
      t.world.clock.advance(3_600_000);
    };

    await sync();
    promote();
    await sync();
    await sync();

    expect(reports.map((r) => [r.members, r.changes, r.alerts.length])).toEqual([
      [7, 0, 0],
      [7, 1, 1],
      [7, 0, 0],
    ]);
    expect(reports[0]!.calls).toBe(3); // 7 members, 3 a page
    const [alert] = await t.database.prisma.outsideChange.findMany({ where: { target: "t" } });
    expect(alert).toMatchObject({ email: "p4@example.com", toRoleName: to, status: "OPEN" });
  });
});
