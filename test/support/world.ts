// Everything the request lifecycle needs, assembled the way main.ts assembles it, over a real
// database, with the Slack and vendor sides replaced by recording doubles of their interfaces.
import { afterAll, beforeAll, beforeEach } from "vitest";
import { parseConfig, type RolegateConfig } from "../../src/config/file.js";
import type { ExecutorConfig } from "../../src/config/file.js";
import { Executor, type ExecutorDeps } from "../../src/executor/executor.js";
import { ApprovalPolicy, type UsergroupDirectory } from "../../src/requests/approval-policy.js";
import { SENT, type Delivery, type Notice, type Notifier } from "../../src/requests/notifier.js";
import { NoticeDispatcher } from "../../src/requests/notice-dispatcher.js";
import { RequestRepo } from "../../src/requests/store/request-repo.js";
import { WorkQueue } from "../../src/requests/store/work-queue.js";
import { Housekeeping } from "../../src/requests/housekeeping.js";
import { wireRequests } from "../../src/wire-requests.js";
import { StoredHistory } from "../../src/requests/store/request-history.js";
import { Sweeps } from "../../src/requests/store/sweeps.js";
import { Filing, type FilingDeps, type ResolvedRequest } from "../../src/requests/filing.js";
import type { RequestService } from "../../src/requests/request-service.js";
import type { RoleRequest } from "../../src/requests/types.js";
import { TargetConnectors } from "../../src/vendors/registry.js";
import { ManualClock } from "./clock.js";
import { openTestDatabase, quietLogger, resetData, type TestDatabase } from "./database.js";
import { FakeConnector } from "./fake-connector.js";

export const REQUESTER = "U0REQUEST";
export const APPROVER = "U0APPROVE";
export const SECOND_APPROVER = "U0SECOND1";
export const GROUP_APPROVER = "U0GROUPIE";
export const OUTSIDER = "U0OUTSIDE";

export const CONFIG_YAML = `
approvalChannel: C0APPROVALS
approvers:
  users: [${APPROVER}, ${SECOND_APPROVER}, ${REQUESTER}]
  usergroups: [S0ADMINS1]
pendingTtl: 24h
executor: { maxAttempts: 3, firstRetryDelay: 10s, maxRetryDelay: 1m, lease: 30s }
targets:
  dolfin-acme: { vendor: dolfin, organization: org-acme, tokenEnv: DOLFIN_TOKEN, approvals: { default: 1, owner: 2 } }
  devin-a: { vendor: devin, organization: org-a, tokenEnv: DEVIN_TOKEN }
  devin-b: { vendor: devin, organization: org-b, tokenEnv: DEVIN_TOKEN, approvals: { default: 2 } }
  sentry-acme:
    vendor: sentry
    organization: acme
    tokenEnv: SENTRY_TOKEN
    approvals: { default: 1, "team:admin": 2 }
    maxDuration: { "team:admin": 8h }
    requireDuration: { "team:admin": true }
`;

export const TEST_ENV = {
  DOLFIN_TOKEN: "dolfin-secret-value",
  DEVIN_TOKEN: "apk_user_example_value",
  SENTRY_TOKEN: "sntryu_example_value",
};

class RecordingNotifier implements Notifier {
  readonly notices: Notice[] = [];
  failing = false;

  async notify(notice: Notice): Promise<Delivery> {
    if (this.failing) throw new Error("Slack is down");
    this.notices.push(structuredClone(notice));
    return SENT;
  }

  types(requestId?: string): string[] {
    return this.notices.filter((n) => !requestId || n.request.id === requestId).map((n) => n.type);
  }
}

export class StaticDirectory implements UsergroupDirectory {
  calls = 0;
  constructor(readonly groups: Record<string, string[]>) {}
  async membersOf(id: string): Promise<ReadonlySet<string>> {
    this.calls++;
    return new Set(this.groups[id] ?? []);
  }
}

/** Slack profiles' emails, as users.info would give them; a missing id makes the lookup fail. */
class StaticSlackUsers {
  readonly emails = new Map<string, string | null>([
    [REQUESTER, "requester@example.com"],
    [APPROVER, "approver@example.com"],
    [SECOND_APPROVER, "second@example.com"],
    [GROUP_APPROVER, "groupie@example.com"],
    [OUTSIDER, "outsider@example.com"],
  ]);
  async emailOf(userId: string): Promise<string | null> {
    if (!this.emails.has(userId)) throw new Error("user_not_found");
    return this.emails.get(userId) ?? null;
  }
}

export interface World {
  config: RolegateConfig;
  clock: ManualClock;
  repo: RequestRepo;
  queue: WorkQueue;
  /** Files requests; `record` takes members read already, as most tests do. */
  filing: Filing;
  /** A Filing over this world with some parts replaced (another config, vendor or Slack). */
  filingWith(overrides?: Partial<FilingDeps>): Filing;
  service: RequestService;
  /** What people read: /role history, /role show, the audit trail. */
  history: StoredHistory;
  sweeps: Sweeps;
  housekeeping: Housekeeping;
  notifier: RecordingNotifier;
  notices: NoticeDispatcher;
  /** Delivers every queued notice, then names those of a request (or all) delivered so far. */
  delivered(requestId?: string): Promise<string[]>;
  slackUsers: StaticSlackUsers;
  directory: StaticDirectory;
  connectors: TargetConnectors;
  vendors: Map<string, FakeConnector>;
  dolfin: FakeConnector;
  executor(options?: {
    owner?: string;
    config?: Partial<ExecutorConfig>;
    queue?: ExecutorDeps["queue"];
    pollMs?: number;
  }): Executor;
  file(overrides?: Partial<ResolvedRequest>): Promise<RoleRequest>;
  fileApproved(overrides?: Partial<ResolvedRequest>): Promise<RoleRequest>;
}

export function buildWorld(database: TestDatabase): World {
  const config = parseConfig(CONFIG_YAML, "test config", TEST_ENV);
  const clock = new ManualClock();
  const repo = new RequestRepo(database.prisma);
  const queue = new WorkQueue(database.prisma);
  const notifier = new RecordingNotifier();
  const directory = new StaticDirectory({ S0ADMINS1: [GROUP_APPROVER] });
  const policy = new ApprovalPolicy(config, directory);
  const slackUsers = new StaticSlackUsers();

  const vendors = new Map<string, FakeConnector>();
  const byOrg = (org: string) => [...vendors.values()].find((v) => v.target.organization === org);
  for (const target of config.targets.values()) vendors.set(target.name, new FakeConnector(target, byOrg));
  const dolfin = vendors.get("dolfin-acme")!;
  dolfin.addMember("usr_1", "ada@example.com", "member");
  dolfin.addMember("usr_2", "bob@example.com", "member");
  dolfin.addMember("usr_3", "cy@example.com", "owner");
  const factory = (target: { name: string }) => vendors.get(target.name)!;
  const connectors = new TargetConnectors(config, { dolfin: factory, devin: factory, sentry: factory }, TEST_ENV);
  // The same wiring as the process (src/wire-requests.ts), with fakes for Slack and the vendors.
  const { filing, service, notices, housekeeping } = wireRequests({
    database,
    repo,
    policy,
    slackUsers,
    notifier,
    config,
    connectors,
    clock: clock.now,
    logger: quietLogger,
    noticeRetryMs: 200,
  });
  const filingWith = (overrides: Partial<FilingDeps> = {}) =>
    new Filing({
      repo,
      policy,
      settling: service,
      connectors,
      config,
      slackUsers,
      clock: clock.now,
      ...overrides,
    });
  const history = new StoredHistory(database.prisma);
  const sweeps = new Sweeps(database.prisma);

  const world: World = {
    config,
    clock,
    repo,
    queue,
    filing,
    filingWith,
    service,
    history,
    sweeps,
    housekeeping,
    notifier,
    notices,
    async delivered(requestId) {
      await notices.drain();
      return notifier.types(requestId);
    },
    slackUsers,
    directory,
    connectors,
    vendors,
    dolfin,
    executor: ({ owner, config: overrides, queue: ownQueue, pollMs } = {}) =>
      new Executor({
        queue: ownQueue ?? queue,
        connectors,
        config: { ...config.executor, ...overrides },
        clock: clock.now,
        logger: quietLogger,
        random: () => 0.5,
        ...(owner ? { owner } : {}),
        ...(pollMs ? { pollMs } : {}),
      }),
    async file(overrides = {}) {
      const result = await filing.record({
        kind: "SET_ROLE",
        target: "dolfin-acme",
        requestedRole: { id: "admin", name: "Admin" },
        reason: "on-call rotation",
        requesterId: REQUESTER,
        members: [{ ref: "ada@example.com", email: "ada@example.com", vendorUserId: "usr_1", roleWhenFiled: "Member" }],
        ...overrides,
      });
      if (!result.ok) throw new Error(`filing refused: ${result.refusal.message}`);
      return result.value;
    },
    async fileApproved(overrides = {}) {
      const request = await world.file(overrides);
      for (const approver of [APPROVER, SECOND_APPROVER].slice(0, request.requiredApprovals)) {
        const result = await service.approve(request.id, approver);
        if (!result.ok) throw new Error(`approval refused: ${result.refusal.message}`);
      }
      return (await repo.find(request.id))!;
    },
  };
  return world;
}

/**
 * Gives the calling test file a database of its own and every test a fresh world over it.
 * Read `world` and `database` inside tests: they are replaced before each one.
 */
export function useWorld(): { readonly world: World; readonly database: TestDatabase } {
  const current = {} as { world: World; database: TestDatabase };
  beforeAll(async () => {
    current.database = await openTestDatabase();
  });
  afterAll(async () => {
    await current.database?.drop();
  });
  beforeEach(async () => {
    await resetData(current.database);
    current.world = buildWorld(current.database);
  });
  return current;
}
