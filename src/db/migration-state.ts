// Which of this build's migrations a database has not applied: /readyz asks it on every probe
// (over the pool), the doctor once (over a session of its own). A database rolegate never
// migrated has no "_prisma_migrations" table yet: every migration is missing.
import { readMigrationFiles } from "./migration-files.js";

/** Runs one SQL statement and returns its rows, over whichever connection the caller has. */
export type RunQuery = <T extends object>(sql: string) => Promise<T[]>;

const APPLIED = `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;

export async function missingMigrations(query: RunQuery): Promise<string[]> {
  const [table] = await query<{ present: boolean }>(
    `SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS present`,
  );
  const applied = new Set(
    table?.present ? (await query<{ migration_name: string }>(APPLIED)).map((r) => r.migration_name) : [],
  );
  return (await readMigrationFiles()).map((f) => f.name).filter((name) => !applied.has(name));
}
