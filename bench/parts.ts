// The parts every in-process bench drives: filing, the request service and two executors (as two
// rolegate processes would run) over one database, one in-memory vendor and one clock.
import type { Clock } from "../src/clock.js";
import type { RolegateConfig } from "../src/config/file.js";
import { Executor } from "../src/executor/executor.js";
import { ApprovalPolicy } from "../src/requests/approval-policy.js";
import { Filing } from "../src/requests/filing.js";
import { RequestService } from "../src/requests/request-service.js";
import { RequestRepo } from "../src/requests/store/request-repo.js";
import { WorkQueue } from "../src/requests/store/work-queue.js";
import { quietLogger, type TestDatabase } from "../test/support/database.js";
import type { FakeConnector } from "../test/support/fake-connector.js";

export function benchParts(
  database: TestDatabase,
  config: RolegateConfig,
  vendor: FakeConnector,
  clock: Clock,
  owners: readonly [string, string],
) {
  const repo = new RequestRepo(database.prisma);
  const policy = new ApprovalPolicy(config, { membersOf: async () => new Set() });
  const service = new RequestService({
    repo,
    policy,
    // The bench's approvers are no members of what they approve; the check itself is tested.
    ownAccess: async () => ({ kind: "none" }),
    config,
    clock,
    logger: quietLogger,
  });
  // Members are given read already (filing.record): the bench measures rolegate, not lookups.
  const filing = new Filing({
    repo,
    policy,
    settling: service,
    connectors: { forTarget: () => vendor },
    config,
    slackUsers: { emailOf: async () => null },
    clock,
  });
  const executors = owners.map(
    (owner) =>
      new Executor({
        queue: new WorkQueue(database.prisma),
        connectors: { forTarget: () => vendor },
        config: config.executor,
        clock,
        logger: quietLogger,
        owner,
      }),
  );
  /** Both executors work until nothing is due. */
  const drain = () =>
    Promise.all(
      executors.map(async (executor) => {
        while (await executor.runOnce());
      }),
    );
  return { repo, filing, service, drain };
}
