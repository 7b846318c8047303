// Starts rolegate as a process runs it, and stops it in the reverse order: Slack's view of the
// token first, then the database, the metrics, the vendors, the Bolt app and the background
// loops. main.ts calls it with the real environment; the end-to-end tests call the same function
// with shorter timings, so what they exercise is the start and stop that run in production.
import type { App } from "@slack/bolt";
import type { Clock } from "./clock.js";
import type { Env } from "./config/env.js";
import type { RolegateConfig, VendorName } from "./config/file.js";
import type { Database } from "./db/database.js";
import type { Logger } from "./logger.js";
import { Metrics } from "./metrics/metrics.js";
import { Readiness } from "./readiness.js";
import { auditEventsRoute } from "./audit/audit-endpoint.js";
import { auditRecords } from "./audit/store/audit-stream.js";
import { readInventorySnapshot } from "./inventory/store/inventory-snapshot.js";
import { SlackUsers } from "./slack/slack-users.js";
import { readWorkSnapshot } from "./requests/store/work-snapshot.js";
import { wireRolegate, type Rolegate } from "./rolegate.js";
import { createRedactor } from "./secrets.js";
import { createSlackApp, slackClient } from "./slack/bolt-app.js";
import { SlackConnection } from "./slack/slack-connection.js";
import { TargetConnectors, type ConnectorFactory } from "./vendors/registry.js";
import { createVendorTextScrubber } from "./vendors/vendor-text.js";

export interface StartOptions {
  env: Pick<
    Env,
    | "SLACK_BOT_TOKEN"
    | "SLACK_SIGNING_SECRET"
    | "SLACK_APP_TOKEN"
    | "SLACK_API_URL"
    | "PORT"
    | "LOG_LEVEL"
    | "SLACK_CHANNEL_PACE_MS"
    | "ROLEGATE_AUDIT_TOKEN"
  >;
  config: RolegateConfig;
  /** Every secret's value: scrubbed from what /readyz and the executor's records say. */
  secrets: string[];
  /** Opened once Slack has accepted the token (or not answered). */
  openDatabase: () => Promise<Database>;
  /** One connector factory per vendor (vendors/index.ts), and where their credentials are read. */
  connectorFactories: Partial<Record<VendorName, ConnectorFactory>>;
  vendorEnv: NodeJS.ProcessEnv;
  clock: Clock;
  logger: Logger;
  /** Shorter timings for tests; production leaves them out. */
  tuning?: Tuning;
}

interface Tuning {
  /** Executor, housekeeping and notice poll interval. */
  pollMs?: number;
  noticeRetryMs?: number;
  formBudgetMs?: number;
  /** Retries of a failed Web API call; 0 gives a test Slack's first answer. */
  slackRetries?: number;
  /** How often Slack is asked again about the token, and the first pause while it does not answer. */
  slackCheckEveryMs?: number;
  slackFirstRetryMs?: number;
  /** How long notices wait at most for an approval's vendor call (call-first.ts; 200 ms). */
  noticesWaitMs?: number;
}

export interface RunningRolegate extends Rolegate {
  app: App;
  connection: SlackConnection;
  database: Database;
  metrics: Metrics;
  /** Stops everything start() started; the database is closed by whoever opened it. */
  stop(): Promise<void>;
}

export async function startRolegate(options: StartOptions): Promise<RunningRolegate> {
  const { env, logger, tuning = {} } = options;
  // Which workspace the token belongs to, and whether Slack answers. auth.test first: a revoked
  // or mistyped token stops us at once, with Slack's reason, before a database is created for
  // nothing. A Slack that does not answer does not stop the start (slack-connection.ts).
  const connection = new SlackConnection({
    client: slackClient(env, logger, 0),
    logger: logger.child({ component: "slack" }),
    ...(tuning.slackCheckEveryMs ? { checkEveryMs: tuning.slackCheckEveryMs } : {}),
    ...(tuning.slackFirstRetryMs ? { firstRetryMs: tuning.slackFirstRetryMs } : {}),
  });
  await connection.start();
  try {
    return await startOnceSlackIsKnown(options, connection);
  } catch (error) {
    connection.stop();
    throw error;
  }
}

async function startOnceSlackIsKnown(options: StartOptions, connection: SlackConnection): Promise<RunningRolegate> {
  const { env, config, secrets, clock, logger, tuning = {} } = options;
  const database = await options.openDatabase();
  const metrics = new Metrics({
    snapshot: () => readWorkSnapshot(database.prisma),
    inventory: () => readInventorySnapshot(database.prisma),
    pool: () => database.poolStats?.(),
    slackUp: () => connection.state().up,
  });
  const connectors = new TargetConnectors(config, options.connectorFactories, options.vendorEnv, undefined, (...call) =>
    metrics.vendorCall(...call),
  );
  const readiness = new Readiness({
    database: () => database,
    slack: () => connection.state(),
    scrub: createRedactor(secrets),
  });
  const slack = slackClient(env, logger, tuning.slackRetries);
  // The export's own Slack lookups (actors' emails), cached like every profile read.
  const slackUsersForAudit = new SlackUsers(slack, clock);
  const auditToken = env.ROLEGATE_AUDIT_TOKEN;
  const app = createSlackApp({
    env,
    logger,
    readiness: () => readiness.report(),
    metrics,
    // The audit export exists only when its token is set.
    ...(auditToken
      ? {
          routes: [
            auditEventsRoute({
              records: (query) => auditRecords(database.prisma, query),
              token: auditToken,
              targets: () => new Set(config.targets.keys()),
              now: clock,
              emailOf: (id) => slackUsersForAudit.emailOf(id),
              logger: logger.child({ component: "audit-export" }),
            }),
          ],
        }
      : {}),
    ...(tuning.slackRetries !== undefined ? { retries: tuning.slackRetries } : {}),
  });
  await app.init();
  const rolegate = wireRolegate({
    app,
    slack,
    installation: () => connection.installation(),
    database,
    config,
    connectors,
    clock,
    logger,
    scrub: createVendorTextScrubber(secrets),
    slackPostIntervalMs: env.SLACK_CHANNEL_PACE_MS,
    metrics,
    ...(tuning.pollMs ? { pollMs: tuning.pollMs } : {}),
    ...(tuning.noticeRetryMs ? { noticeRetryMs: tuning.noticeRetryMs } : {}),
    ...(tuning.formBudgetMs ? { formBudgetMs: tuning.formBudgetMs } : {}),
    ...(tuning.noticesWaitMs ? { noticesWaitMs: tuning.noticesWaitMs } : {}),
  });
  await app.start();
  await rolegate.start();
  return {
    ...rolegate,
    app,
    connection,
    database,
    metrics,
    stop: async () => {
      await rolegate.stop();
      await app.stop();
      connection.stop();
    },
  };
}
