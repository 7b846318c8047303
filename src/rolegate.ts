// Wires rolegate's parts together over an initialised Bolt app and an open database. main.ts
// calls it with the real connectors; the end-to-end tests call it exactly the same way, so
// what they exercise is the wiring that runs in production.
import { webApi, type App } from "@slack/bolt";
import type { Clock } from "./clock.js";
import type { RolegateConfig } from "./config/file.js";
import type { Database } from "./db/database.js";
import { Executor } from "./executor/executor.js";
import type { Logger } from "./logger.js";
import type { Metrics } from "./metrics/metrics.js";
import { ApprovalPolicy } from "./requests/approval-policy.js";
import { Filing } from "./requests/filing.js";
import { ownAccessOf } from "./requests/own-access.js";
import { NoticeDispatcher } from "./requests/notice-dispatcher.js";
import { RequestService } from "./requests/request-service.js";
import { RoleRefresh } from "./requests/role-refresh.js";
import { Outbox } from "./requests/store/outbox.js";
import { RequestRepo } from "./requests/store/request-repo.js";
import { WorkQueue } from "./requests/store/work-queue.js";
import { HomeViewers } from "./requests/store/home-viewers.js";
import { HomeRefresher } from "./slack/home-refresher.js";
import { registerListeners } from "./slack/listeners/index.js";
import { slackClientOptions } from "./slack/bolt-app.js";
import { boltLogger } from "./slack/bolt-logger.js";
import type { Installation } from "./slack/slack-connection.js";
import { SlackNotifier } from "./slack/slack-notifier.js";
import { SlackPacer } from "./slack/slack-pacer.js";
import { SlackUsers } from "./slack/slack-users.js";
import { SlackUsergroupDirectory } from "./slack/usergroup-directory.js";
import type { ConnectorRegistry } from "./vendors/connector.js";
import type { VendorTextScrubber } from "./vendors/vendor-text.js";

export interface RolegateParts {
  app: App;
  /** The bot's Web API client (slackClient in bolt-app.ts). */
  slack: webApi.WebClient;
  /** The installation Slack said the bot token belongs to; undefined until it has. */
  installation: () => Installation | undefined;
  database: Pick<Database, "prisma">;
  config: RolegateConfig;
  connectors: ConnectorRegistry;
  clock: Clock;
  logger: Logger;
  /** Executor and notice dispatcher poll interval; tests shorten it. */
  pollMs?: number;
  /** The notice dispatcher's first pause after Slack refused a notice; tests shorten it. */
  noticeRetryMs?: number;
  /** Scrubs what the executor stores of an attempt (main.ts passes one built from every secret). */
  scrub?: VendorTextScrubber;
  formBudgetMs?: number;
  /** Least time between two posts in one Slack channel (Slack's pace, 1 s); tests shorten it. */
  slackPostIntervalMs?: number;
  /**
   * How long notices wait at most for the vendor call a decision set off (200 ms); tests that
   * share a busy machine lengthen it, so the order they check does not hang on the cap.
   */
  noticesWaitMs?: number;
  /** Counts decisions and notices Slack did not take; absent: nothing is counted. */
  metrics?: Pick<Metrics, "decided" | "noticeFailed" | "noticeDeferred">;
}

export interface Rolegate {
  service: RequestService;
  repo: RequestRepo;
  executor: Executor;
  notices: NoticeDispatcher;
  home: HomeRefresher;
}

export function wireRolegate(parts: RolegateParts): Rolegate {
  const { app, slack, database, config, connectors, clock, logger, metrics } = parts;
  const repo = new RequestRepo(database.prisma);
  const policy = new ApprovalPolicy(config, new SlackUsergroupDirectory(slack, clock));
  const slackUsers = new SlackUsers(slack, clock);
  const home = new HomeRefresher({
    client: slack,
    repo,
    policy,
    viewers: new HomeViewers(database.prisma),
    config,
    clock,
    logger: logger.child({ component: "app-home" }),
    ...(parts.pollMs ? { pollMs: parts.pollMs } : {}),
  });
  // The executor and the notice dispatcher are two loops: one changes roles, the other talks to
  // Slack, and neither waits for the other. Notices have a Slack client of their own: Bolt's
  // client answers a 429 by pausing every call it makes, so a burst of cards would hold up the
  // forms and replies people are waiting on; this one hands the 429 to the pacer, and the outbox
  // retries on its own.
  const noticeClient = new webApi.WebClient(slack.token, {
    ...slackClientOptions({ SLACK_API_URL: slack.slackApiUrl }, 0),
    rejectRateLimitedCalls: true,
    logger: boltLogger(logger),
  });
  const pacer = new SlackPacer(parts.slackPostIntervalMs ?? 1_000);
  const notices = new NoticeDispatcher({
    outbox: new Outbox(database.prisma),
    repo,
    notifier: new SlackNotifier({
      client: noticeClient,
      repo,
      policy,
      config,
      home,
      pacer,
      ownBotId: () => parts.installation()?.botId,
    }),
    logger: logger.child({ component: "notices" }),
    // A decision's notices wait for the vendor call it set off (see call-first.ts).
    callsFirst: () => executor?.callUnderWay() ?? Promise.resolve(),
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
  let executor: Executor | undefined;
  const service = new RequestService({
    repo,
    policy,
    ownAccess: (actor, request) => ownAccessOf(actor, request, { slackUsers, connectors }),
    config,
    clock,
    logger,
    workAvailable: () => executor?.wake(),
    executor: { offer: () => executor?.offer() ?? null, carryOut: (job) => executor?.carryOut(job) },
    noticesAvailable,
    ...(metrics ? { decided: (command: string, outcome: string) => metrics.decided(command, outcome) } : {}),
  });
  const roleRefresh = new RoleRefresh({ repo, connectors, noticesAvailable, clock, logger });
  executor = new Executor({
    queue: new WorkQueue(database.prisma),
    connectors,
    noticesAvailable,
    housekeeping: async () => {
      await service.expireDue();
      await service.warnEndingGrants();
      await service.chaseUndecided();
      await roleRefresh.run();
    },
    config: config.executor,
    clock,
    logger: logger.child({ component: "executor" }),
    ...(parts.pollMs ? { pollMs: parts.pollMs } : {}),
    ...(parts.scrub ? { scrub: parts.scrub } : {}),
    ...(parts.noticesWaitMs ? { noticesWaitMs: parts.noticesWaitMs } : {}),
  });
  const filing = new Filing({ service, connectors, config, slackUsers });
  registerListeners(app, {
    service,
    filing,
    repo,
    policy,
    connectors,
    slackUsers,
    home,
    config,
    clock,
    logger,
    installation: parts.installation,
    ...(parts.formBudgetMs ? { formBudgetMs: parts.formBudgetMs } : {}),
  });
  return { service, repo, executor, notices, home };
}
