// Creates a new embedded database directory in a short-lived child process. Creating one runs
// PostgreSQL's initdb (in WebAssembly), and the memory that takes stays with the process that ran
// it for as long as it lives — a worker thread does not give it back either (README, "Memory",
// has the figures). A newcomer's first `npm start` should be as lean as every later one.
import { execFile } from "node:child_process";
import { access } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { promisify } from "node:util";

/** Run with `node -e`: argv[1] is PGlite's CommonJS entry, argv[2] the directory, argv[3] the settings. */
const CREATE = `
const { PGlite } = require(process.argv[1]);
PGlite.create(process.argv[2], { postgresqlconf: JSON.parse(process.argv[3]) })
  .then((db) => db.close())
  .catch((error) => { process.stderr.write(String(error && error.message || error)); process.exit(1); });`;

/** True once `dir` holds a database (PostgreSQL writes PG_VERSION into every data directory). */
export async function holdsDatabase(dir: string): Promise<boolean> {
  return access(join(dir, "PG_VERSION")).then(
    () => true,
    () => false,
  );
}

export async function createEmbeddedDirectory(dir: string, settings: readonly string[]): Promise<void> {
  const pglite = createRequire(import.meta.url).resolve("@electric-sql/pglite");
  try {
    await promisify(execFile)(process.execPath, ["-e", CREATE, pglite, dir, JSON.stringify(settings)], {
      timeout: 120_000,
    });
  } catch (error) {
    const said = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`could not create the embedded database in ${dir}: ${said || (error as Error).message}`, {
      cause: error,
    });
  }
}
