// The parts every in-process bench drives: the request service and two executors (as two
// rolegate processes would run) over one database, one in-memory vendor and one clock.
import type { Clock } from "../src/clock.js";
import type { RolegateConfig } from "../src/config/file.js";
import { Executor } from "../src/executor/executor.js";
import { ApprovalPolicy } from "../src/requests/approval-policy.js";
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
  const service = new RequestService({
    repo,
    policy: new ApprovalPolicy(config, { membersOf: async () => new Set() }),
    // The bench's approvers are no members of what they approve; the check itself is tested.
    ownAccess: async () => ({ kind: "none" }),
    config,
    clock,
    logger: quietLogger,
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
  return { repo, service, drain };
}
