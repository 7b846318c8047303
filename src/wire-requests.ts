// Builds the part of rolegate that needs no Slack: filing, deciding, the executor, housekeeping
// and the notice dispatcher, over an open database, given who may decide (the policy), how
// people's emails are read and what delivers notices. wireRolegate (rolegate.ts) calls it with
// Slack's; the domain tests (test/support/world.ts) with their fakes — one wiring for both.
import type { Clock } from "./clock.js";
import type { RolegateConfig } from "./config/file.js";
import type { Database } from "./db/database.js";
import { CallFirst } from "./executor/call-first.js";
import { Executor } from "./executor/executor.js";
import type { Logger } from "./logger.js";
import type { Metrics } from "./metrics/metrics.js";
import type { ApprovalPolicy } from "./requests/approval-policy.js";
import { Filing } from "./requests/filing.js";
import { Housekeeping } from "./requests/housekeeping.js";
import { NoticeDispatcher } from "./requests/notice-dispatcher.js";
import type { Notifier } from "./requests/notifier.js";
import { ownAccessOf, type SlackUserEmails } from "./requests/own-access.js";
import { RequestService } from "./requests/request-service.js";
import { RoleRefresh } from "./requests/role-refresh.js";
import { Outbox } from "./requests/store/outbox.js";
import type { RequestRepo } from "./requests/store/request-repo.js";
import { Sweeps } from "./requests/store/sweeps.js";
import { WorkQueue } from "./requests/store/work-queue.js";
import type { ConnectorRegistry } from "./vendors/connector.js";
import type { VendorTextScrubber } from "./vendors/vendor-text.js";

export interface RequestsParts {
  database: Pick<Database, "prisma">;
  repo: RequestRepo;
  policy: ApprovalPolicy;
  slackUsers: SlackUserEmails;
  notifier: Notifier;
  config: RolegateConfig;
  connectors: ConnectorRegistry;
  clock: Clock;
  logger: Logger;
  /** Executor, housekeeping and notice poll interval; tests shorten it. */
  pollMs?: number;
  /** The notice dispatcher's first pause after Slack refused a notice; tests shorten it. */
  noticeRetryMs?: number;
  /** Scrubs what the executor stores of an attempt (built from every secret). */
  scrub?: VendorTextScrubber;
  /** Counts decisions and notices Slack did not take; absent: nothing is counted. */
  metrics?: Pick<Metrics, "decided" | "noticeFailed" | "noticeDeferred">;
  /**
   * How long notices wait at most for the vendor call a decision set off (200 ms); tests that
   * share a busy machine lengthen it, so the order they check does not hang on the cap.
   */
  noticesWaitMs?: number;
}

export interface Requests {
  filing: Filing;
  service: RequestService;
  executor: Executor;
  notices: NoticeDispatcher;
  housekeeping: Housekeeping;
}

export function wireRequests(parts: RequestsParts): Requests {
  const { database, repo, policy, slackUsers, config, connectors, clock, logger, metrics } = parts;
  // The executor and the notice dispatcher are two loops: one changes roles, the other tells
  // people. Each commit that queued a notice wakes the second; the one thing it waits for is the
  // vendor call an approval just set off (call-first.ts).
  const callFirst = new CallFirst(parts.noticesWaitMs ?? 200);
  const notices = new NoticeDispatcher({
    outbox: new Outbox(database.prisma),
    repo,
    notifier: parts.notifier,
    callsFirst: () => callFirst.clear(),
    logger: logger.child({ component: "notices" }),
    claimMs: config.executor.lease,
    ...(parts.pollMs ? { pollMs: parts.pollMs } : {}),
    ...(parts.noticeRetryMs ? { firstRetryMs: parts.noticeRetryMs, maxRetryMs: parts.noticeRetryMs * 4 } : {}),
    ...(metrics
      ? {
          noticeFailed: (type: string) => metrics.noticeFailed(type),
          noticeDeferred: (type: string) => metrics.noticeDeferred(type),
        }
      : {}),
  });
  const noticesAvailable = () => notices.wake();
  const executor = new Executor({
    queue: new WorkQueue(database.prisma),
    connectors,
    noticesAvailable,
    callFirst,
    config: config.executor,
    clock,
    logger: logger.child({ component: "executor" }),
    ...(parts.pollMs ? { pollMs: parts.pollMs } : {}),
    ...(parts.scrub ? { scrub: parts.scrub } : {}),
  });
  const service = new RequestService({
    repo,
    policy,
    ownAccess: (actor, request) => ownAccessOf(actor, request, { slackUsers, connectors }),
    config,
    clock,
    logger,
    workAvailable: () => executor.wake(),
    noticesAvailable,
    ...(metrics ? { decided: (command: string, outcome: string) => metrics.decided(command, outcome) } : {}),
  });
  const sweeps = new Sweeps(database.prisma);
  const housekeeping = new Housekeeping({
    sweeps,
    roleRefresh: new RoleRefresh({ sweeps, connectors, noticesAvailable, clock, logger }),
    config,
    clock,
    logger: logger.child({ component: "housekeeping" }),
    noticesAvailable,
    ...(parts.pollMs ? { pollMs: parts.pollMs } : {}),
  });
  const filing = new Filing({
    repo,
    policy,
    settling: service,
    connectors,
    config,
    slackUsers,
    clock,
    noticesAvailable,
  });
  return { filing, service, executor, notices, housekeeping };
}
