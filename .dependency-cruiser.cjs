// The direction of rolegate's dependencies, checked by `npm run lint` (dependency-cruiser). From
// the bottom up:
//
//   config, secrets, clock, logger, polling-loop,  what everything may use
//   ttl-cache, backoff
//   db, vendors                                    the database and the vendors' APIs, each on its own
//   requests/store                                 the only code that reads and writes requests (Prisma)
//   requests                                       the domain: filing, deciding, policy, notices
//   executor, inventory                            carrying out approved changes; reading who holds what
//   slack                                          talking to people
//   rolegate.ts, wire-*.ts, start.ts,              wiring and the process around it
//   main.ts, metrics,
//   readiness.ts, doctor
//
// An import may point down, never up, and no two modules may import each other, however far
// round. README.md ("How the code is wired") says why each rule is there.
const COMPOSITION = "^src/(rolegate|wire-requests|wire-inventory|start|main|readiness)\\.ts$";
const above = (...dirs) => [...dirs.map((d) => `^src/${d}/`), COMPOSITION];

module.exports = {
  forbidden: [
    {
      name: "no-cycle",
      comment: "Two modules that import each other (however far round) cannot be read, tested or changed apart.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "bottom-stays-bottom",
      comment: "config, secrets, clock, logger and the small helpers are used by every layer and use none.",
      severity: "error",
      from: { path: "^src/(config/|(secrets|clock|logger|polling-loop|ttl-cache|backoff)\\.ts)" },
      to: { path: above("db", "vendors", "requests", "executor", "inventory", "audit", "slack", "metrics", "doctor") },
    },
    {
      name: "db-knows-no-domain",
      comment: "src/db opens and migrates the database; what the rows mean is the store's business.",
      severity: "error",
      from: { path: "^src/db/" },
      to: { path: above("vendors", "requests", "executor", "inventory", "audit", "slack", "metrics", "doctor") },
    },
    {
      name: "vendors-know-no-requests",
      comment: "A connector speaks one vendor's API; it never sees a request, the database or Slack.",
      severity: "error",
      from: { path: "^src/vendors/" },
      to: { path: above("db", "requests", "executor", "inventory", "audit", "slack", "metrics", "doctor") },
    },
    {
      name: "requests-know-no-callers",
      comment: "The domain and its store are driven by the executor and Slack, and know neither.",
      severity: "error",
      from: { path: "^src/requests/" },
      to: { path: above("executor", "inventory", "audit", "slack", "metrics", "doctor") },
    },
    {
      name: "audit-reads-and-serves",
      comment: "The audit export reads the trail through its store and serves it; it drives nothing.",
      severity: "error",
      from: { path: "^src/audit/" },
      to: { path: above("executor", "inventory", "slack", "metrics", "doctor") },
    },
    {
      name: "inventory-knows-no-slack",
      comment: "The inventory reads vendors and writes the ledger; people hear of it through the domain's outputs.",
      severity: "error",
      from: { path: "^src/inventory/" },
      to: { path: above("executor", "audit", "slack", "metrics", "doctor") },
    },
    {
      name: "executor-knows-no-slack",
      comment: "The executor never waits on Slack: its outcomes reach people through the outbox.",
      severity: "error",
      from: { path: "^src/executor/" },
      to: { path: above("slack", "metrics", "doctor") },
    },
    {
      name: "slack-goes-through-the-domain",
      comment: "Slack reads and changes requests through the domain's services and types, never the store or the executor.",
      severity: "error",
      from: { path: "^src/slack/" },
      to: { path: above("requests/store", "inventory/store", "audit", "executor", "db", "metrics", "doctor") },
    },
    {
      name: "prisma-stays-in-the-store",
      comment: "Only src/db and the stores (requests/store, inventory/store, audit/store) touch Prisma; everything else sees domain types.",
      severity: "error",
      from: { pathNot: "^src/(db|requests/store|inventory/store|audit/store)/" },
      to: { path: ["^src/db/generated/", "@prisma/"] },
    },
  ],
  options: {
    // The generated Prisma client is a leaf: who imports it is checked, what it imports is not.
    doNotFollow: { path: ["node_modules", "^src/db/generated/"] },
    tsConfig: { fileName: "tsconfig.json" },
    // Type-only imports count: a cycle of types still ties two modules together.
    tsPreCompilationDeps: true,
  },
};
