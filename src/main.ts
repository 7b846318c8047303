// The process: read the configuration, check what can be checked before anything is touched,
// then start rolegate (start.ts) and stop it on SIGTERM or SIGINT.
import { ConfigError } from "./config/errors.js";
import { loadConfiguration, type Configuration } from "./config/load.js";
import { systemClock } from "./clock.js";
import { openDatabase } from "./db/database.js";
import { createLogger } from "./logger.js";
import { createRedactor, secretValues } from "./secrets.js";
import { approvalKeyProblems } from "./requests/approval-keys.js";
import { startRolegate } from "./start.js";
import { CONNECTOR_FACTORIES } from "./vendors/index.js";
import { TargetConnectors } from "./vendors/registry.js";

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

  // A misspelt approvals key ("ownr: 2") stops the start before Slack or a database is touched.
  // These few calls go through connectors of their own, before there are metrics to count them.
  const keyProblems = await approvalKeyProblems(config, new TargetConnectors(config, CONNECTOR_FACTORIES), logger);
  if (keyProblems.length > 0) {
    process.stderr.write(
      `rolegate cannot start: ${env.ROLEGATE_CONFIG} is not valid.\n${keyProblems.map((p) => `  - ${p}`).join("\n")}\n`,
    );
    process.exit(1);
  }

  const rolegate = await startRolegate({
    env,
    config,
    secrets,
    openDatabase: () => openDatabase({ url: env.DATABASE_URL, dataDir: env.ROLEGATE_DATA_DIR }, logger),
    connectorFactories: CONNECTOR_FACTORIES,
    vendorEnv: process.env,
    clock: systemClock,
    logger,
  });
  logger.info("rolegate is running", {
    mode: env.SLACK_APP_TOKEN ? "socket" : "http",
    port: env.PORT,
    database: rolegate.database.description,
    targets: [...config.targets.keys()],
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info("shutting down", { signal });
    await rolegate.stop();
    await rolegate.database.close();
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
