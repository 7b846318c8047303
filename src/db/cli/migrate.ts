// npm run db:migrate: applies pending migrations to DATABASE_URL, or to the embedded database
// in ROLEGATE_DATA_DIR when DATABASE_URL is unset. Needs no Slack configuration.
import { createLogger } from "../../logger.js";
import { secretValues } from "../../secrets.js";
import { openDatabase } from "../database.js";

const logger = createLogger({ level: "info", secrets: secretValues(process.env, []) });
try {
  const database = await openDatabase(
    { url: process.env.DATABASE_URL || undefined, dataDir: process.env.ROLEGATE_DATA_DIR || "./.data" },
    logger,
  );
  await database.close();
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
}
