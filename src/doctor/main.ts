// npm run doctor: checks Slack, the database and every target's credential, read-only, and
// prints a table. Exits non-zero when anything failed, so it can gate a deployment.
import { ConfigError } from "../config/errors.js";
import { loadConfiguration, type Configuration } from "../config/load.js";
import { createRedactor } from "../secrets.js";
import { CONNECTOR_FACTORIES } from "../vendors/index.js";
import { TargetConnectors } from "../vendors/registry.js";
import { checkDatabase, checkInventory, checkSlack, checkTarget, renderTable } from "./checks.js";

async function main(): Promise<number> {
  let configuration: Configuration;
  try {
    configuration = await loadConfiguration();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    throw error;
  }
  const { env, config, secrets } = configuration;
  const redact = createRedactor(secrets);
  const connectors = new TargetConnectors(config, CONNECTOR_FACTORIES);
  const results = [
    ...(await Promise.all([
      checkSlack(env),
      checkDatabase(env),
      ...[...config.targets.values()].map((t) => checkTarget(t, connectors)),
    ])),
    ...(await checkInventory(env, config)),
  ];
  process.stdout.write(redact(renderTable(results)) + "\n");
  const failed = results.filter((r) => !r.ok).length;
  process.stdout.write(
    failed === 0 ? "\nEverything rolegate needs answers.\n" : `\n${failed} check${failed === 1 ? "" : "s"} failed.\n`,
  );
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`doctor could not run: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
