// Applies prisma/migrations the way `prisma migrate deploy` does, because Prisma's native
// schema engine is not available on our machines. The bookkeeping is Prisma's own, so a
// connected machine's `prisma migrate deploy` accepts a database migrated here and vice versa:
// - the `_prisma_migrations` table, one row per migration, checksum = sha256 of migration.sql;
// - `pg_advisory_lock(72707369)`, the key Prisma holds so concurrent deploys take turns (on
//   embedded PGlite an in-process queue stands in for it; see sql-session.ts).
// One difference, for the better: each migration runs in a transaction together with its row,
// so a failure leaves no half-applied migration for a person to clean up by hand.
import { randomUUID } from "node:crypto";
import type { Logger } from "../logger.js";
import type { MigrationFile } from "./migration-files.js";
import type { SqlSession } from "./sql-session.js";

const PRISMA_MIGRATE_LOCK = 72707369;

const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
);`;

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

class MigrationError extends Error {
  override readonly name = "MigrationError";
}

export interface MigrationReport {
  applied: string[];
  alreadyApplied: number;
}

export async function applyMigrations(
  session: SqlSession,
  files: MigrationFile[],
  logger: Pick<Logger, "info" | "warn">,
): Promise<MigrationReport> {
  return session.withLock(PRISMA_MIGRATE_LOCK, async () => {
    await session.exec(CREATE_MIGRATIONS_TABLE);
    const rows = await session.query<MigrationRow>(
      `SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY started_at`,
    );
    const live = rows.filter((row) => row.rolled_back_at === null);

    const failed = live.find((row) => row.finished_at === null);
    if (failed) {
      throw new MigrationError(
        `Migration ${failed.migration_name} failed earlier and was never marked as rolled back. ` +
          `Repair the database by hand, then run \`prisma migrate resolve --rolled-back ${failed.migration_name}\` ` +
          `(or delete its row from _prisma_migrations) and start again.`,
      );
    }

    const applied = new Map(live.map((row) => [row.migration_name, row]));
    const changed = files.filter((file) => {
      const row = applied.get(file.name);
      return row !== undefined && row.checksum !== file.checksum;
    });
    if (changed.length > 0) {
      throw new MigrationError(
        `The migration file${changed.length > 1 ? "s" : ""} ${changed.map((f) => `prisma/migrations/${f.name}/migration.sql`).join(", ")} ` +
          `changed after ${changed.length > 1 ? "they were" : "it was"} applied to this database. ` +
          `An applied migration must never be edited: restore the original file and put the change in a new migration (npm run db:migration -- <name>).`,
      );
    }

    const known = new Set(files.map((file) => file.name));
    const unknown = [...applied.keys()].filter((name) => !known.has(name));
    if (unknown.length > 0) {
      logger.warn(
        "the database has migrations this checkout does not know; is an older rolegate running against a newer database?",
        {
          migrations: unknown,
        },
      );
    }

    const pending = files.filter((file) => !applied.has(file.name));
    for (const file of pending) {
      await applyOne(session, file);
      logger.info("applied migration", { migration: file.name });
    }
    return { applied: pending.map((f) => f.name), alreadyApplied: files.length - pending.length };
  });
}

async function applyOne(session: SqlSession, file: MigrationFile): Promise<void> {
  const id = randomUUID();
  await session.exec("BEGIN");
  try {
    await session.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)`,
      [id, file.checksum, file.name],
    );
    await session.exec(file.sql);
    await session.query(
      `UPDATE "_prisma_migrations" SET finished_at = clock_timestamp(), applied_steps_count = 1 WHERE id = $1`,
      [id],
    );
    await session.exec("COMMIT");
  } catch (error) {
    await session.exec("ROLLBACK").catch(() => {});
    throw new MigrationError(`Migration ${file.name} failed and was rolled back: ${(error as Error).message}`);
  }
}
