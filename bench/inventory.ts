// npm run bench -- --inventory: the access ledger at size. The built process (node dist/main.js,
// as production runs it) on PostgreSQL, with four targets — one per vendor's HTTP fake, each an
// organization of INVENTORY_MEMBERS (10,000) members listed at the vendor's largest page. At
// start it syncs all four (the baseline); then 100 members of one are made Owner in the vendor's
// own UI, and /role sync finds them. Reports the calls and time of each sync, the process's RSS,
// and how many cards those 100 changes made (one digest is the goal).
import { performance } from "node:perf_hooks";
import { openTestDatabase } from "../test/support/database.js";
import { AITRONOS_KEY, FakeAitronos } from "../test/support/fake-vendors/aitronos.js";
import { DEVIN_KEY, FakeDevin } from "../test/support/fake-vendors/devin.js";
import { DOLFIN_KEY, FakeDolfin } from "../test/support/fake-vendors/dolfin.js";
import { FakeSentry, SENTRY_TOKEN } from "../test/support/fake-vendors/sentry.js";
import { FakeSlackApi } from "../test/support/fake-slack-api.js";
import { waitFor } from "../test/support/wait.js";
import { BOT_TOKEN, startBuiltRolegate } from "./built-process.js";

export interface InventoryFigures {
  members: number;
  syncs: { target: string; vendor: string; calls: number; seconds: number; members: number; outcome: string }[];
  rssAfterBaselineMb: number;
  rssAfterChangesMb: number;
  changes: { found: number; cards: number; seconds: number };
}

export async function benchInventory(members: number): Promise<InventoryFigures> {
  const sentry = new FakeSentry("acme");
  sentry.pageSize = 100; // Sentry's per_page maximum
  sentry.addMember("0", "bot@example.com", "owner");
  const devin = new FakeDevin();
  const dolfin = new FakeDolfin("org-acme");
  dolfin.pageSize = 100;
  const aitronos = new FakeAitronos("org_acme01");
  for (let i = 1; i < members; i++) sentry.addMember(`${i}`, `s${i}@example.com`, "member");
  for (let i = 0; i < members; i++) {
    devin.addUser(`u${i}`, `d${i}@example.com`, { "org-a": "org_member" });
    dolfin.addUser(`u${i}`, `f${i}@example.com`, i === 0 ? "Owner" : "Member");
    aitronos.addMember(`usr_${i}`, `a${i}@example.com`, i === 0 ? "Owner" : "Member");
  }
  const slack = new FakeSlackApi(BOT_TOKEN);
  await Promise.all([slack.start(), sentry.start(), devin.start(), dolfin.start(), aitronos.start()]);
  const database = await openTestDatabase({ poolSize: 4 });
  const rolegate = await startBuiltRolegate({
    databaseUrl: database.url,
    slack,
    config: `approvalChannel: C0APPROVALS
approvers: { users: [U0APPROVE] }
targets:
  sentry-acme: { vendor: sentry, organization: acme, baseUrl: "${sentry.origin}", tokenEnv: SENTRY_TOKEN, approvals: { default: 1, owner: 2 } }
  devin-a: { vendor: devin, organization: org-a, baseUrl: "${devin.origin}", tokenEnv: DEVIN_KEY, approvals: { default: 1, org_admin: 2 } }
  dolfin-acme: { vendor: dolfin, organization: org-acme, baseUrl: "${dolfin.origin}", tokenEnv: DOLFIN_KEY, approvals: { default: 1, owner: 2 } }
  aitronos-acme: { vendor: aitronos, organization: org_acme01, baseUrl: "${aitronos.origin}", tokenEnv: AITRONOS_KEY, approvals: { default: 1, owner: 2 } }
`,
    env: { SENTRY_TOKEN, DEVIN_KEY, DOLFIN_KEY, AITRONOS_KEY },
  });
  const rss = async () => {
    const text = await (await fetch(`${rolegate.origin}/metrics`)).text();
    return Number(/^rolegate_process_resident_memory_bytes (\S+)$/m.exec(text)?.[1] ?? 0) / 1024 / 1024;
  };
  const vendors: Record<string, string> = {
    "sentry-acme": "Sentry",
    "devin-a": "Devin",
    "dolfin-acme": "Dolfin",
    "aitronos-acme": "Aitronos",
  };
  try {
    const done = async () =>
      database.prisma.inventoryTarget.findMany({ where: { lastOutcome: { not: null } }, orderBy: { target: "asc" } });
    await waitFor(async () => (await done()).length === 4, "the four syncs at start", 300_000);
    const counts = await database.prisma.ledgerMember.groupBy({ by: ["target"], _count: { _all: true } });
    const syncs = (await done()).map((t) => ({
      target: t.target,
      vendor: vendors[t.target]!,
      calls: t.lastCalls ?? 0,
      seconds: (t.lastDurationMs ?? 0) / 1000,
      members: counts.find((c) => c.target === t.target)?._count._all ?? 0,
      outcome: t.lastOutcome!,
    }));
    const rssAfterBaselineMb = await rss();

    // 100 members made Owner in Dolfin's own UI, then an approver asks for a sync.
    const changed = Math.min(100, members - 1);
    for (let i = 1; i <= changed; i++) dolfin.users.get(`u${i}`)!.role = "Owner";
    const started = performance.now();
    await rolegate.command("U0APPROVE", "sync dolfin-acme", slack.responseUrl());
    await waitFor(
      async () => (await database.prisma.outsideChange.count()) === changed,
      "the 100 changes outside rolegate",
      120_000,
    );
    const cards = () => slack.messagesIn("C0APPROVALS").filter((m) => m.text.includes("outside rolegate"));
    await waitFor(() => cards().length > 0, "the digest card", 60_000);
    const seconds = (performance.now() - started) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // any second card would be out by now
    return {
      members,
      syncs,
      rssAfterBaselineMb,
      rssAfterChangesMb: await rss(),
      changes: { found: await database.prisma.outsideChange.count(), cards: cards().length, seconds },
    };
  } finally {
    await rolegate.stop();
    await Promise.all([slack.stop(), sentry.stop(), devin.stop(), dolfin.stop(), aitronos.stop()]);
    await database.drop();
  }
}
