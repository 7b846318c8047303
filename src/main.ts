// Composition root: read the configuration, open the database, build the services, start Slack
// and the executor. Wiring by hand, in the order things depend on each other; nothing is
// touched before the whole configuration is known to be valid.
import { ConfigError } from "./config/errors.js";
import { loadConfiguration, type Configuration } from "./config/load.js";
import { systemClock } from "./clock.js";
import { openDatabase, type Database } from "./db/database.js";
import { createLogger } from "./logger.js";
import { createRedactor, secretValues } from "./secrets.js";
import { approvalKeyProblems } from "./requests/approval-keys.js";
import { Metrics } from "./metrics/metrics.js";
import { Readiness } from "./readiness.js";
import { readWorkSnapshot } from "./requests/store/work-snapshot.js";
import { wireRolegate } from "./rolegate.js";
import { createSlackApp, slackClient } from "./slack/bolt-app.js";
import { SlackConnection } from "./slack/slack-connection.js";
import { CONNECTOR_FACTORIES } from "./vendors/index.js";
import { TargetConnectors } from "./vendors/registry.js";
import { createVendorTextScrubber } from "./vendors/vendor-text.js";

/** Scrubs start-up errors too: a library's message may quote what we handed it. */
let redact = createRedactor(secretValues(process.env, []));

async function main(): Promise<void> {
  let configuration: Configuration;
  try {
    configuration = await loadConfiguration();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }

  const { env, config, secrets } = configuration;
  redact = createRedactor(secrets);
  const logger = createLogger({ level: env.LOG_LEVEL, secrets });
  const clock = systemClock;

  let database: Database | undefined;
  // Which workspace the token belongs to, and whether Slack answers. auth.test first: a revoked
  // or mistyped token stops us at once, with Slack's reason, before a database is created for
  // nothing. A Slack that does not answer does not stop the start (slack-connection.ts).
  const slack = new SlackConnection({
    client: slackClient(env, logger, 0),
    logger: logger.child({ component: "slack" }),
  });
  await slack.start();
  // Asked only once serving, by when (soon) the database exists.
  const readiness = new Readiness({ database: () => database, slack: () => slack.state(), scrub: redact });
  const metrics = new Metrics({
    snapshot: () =>
      database ? readWorkSnapshot(database.prisma) : Promise.reject(new Error("the database is not open yet")),
    pool: () => database?.poolStats?.(),
    slackUp: () => slack.state().up,
  });
  const app = createSlackApp({ env, logger, readiness: () => readiness.report(), metrics });
  await app.init();
  const connectors = new TargetConnectors(config, CONNECTOR_FACTORIES, process.env, undefined, (...call) =>
    metrics.vendorCall(...call),
  );
  const keyProblems = await approvalKeyProblems(config, connectors, logger);
  if (keyProblems.length > 0) {
    process.stderr.write(
      `rolegate cannot start: ${env.ROLEGATE_CONFIG} is not valid.\n${keyProblems.map((p) => `  - ${p}`).join("\n")}\n`,
    );
    process.exit(1);
  }
  database = await openDatabase({ url: env.DATABASE_URL, dataDir: env.ROLEGATE_DATA_DIR }, logger);

  const { executor, notices, home } = wireRolegate({
    app,
    slack: slackClient(env, logger),
    installation: () => slack.installation(),
    database,
    config,
    connectors,
    clock,
    logger,
    scrub: createVendorTextScrubber(secrets),
    slackPostIntervalMs: env.SLACK_CHANNEL_PACE_MS,
    metrics,
  });

  await app.start();
  executor.start();
  notices.start();
  home.start();
  logger.info("rolegate is running", {
    mode: env.SLACK_APP_TOKEN ? "socket" : "http",
    port: env.PORT,
    database: database.description,
    targets: [...config.targets.keys()],
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info("shutting down", { signal });
    await executor.stop();
    await notices.stop();
    await home.stop();
    await app.stop();
    slack.stop();
    await database?.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((error: unknown) => {
  // Start-up faults (database unreachable, Slack refusing the token, a migration refused) end
  // here: say what happened in words, without a stack trace a person has to decode.
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`rolegate could not start: ${redact(message)}\n`);
  process.exit(1);
});
