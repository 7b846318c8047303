// Migrations live in Prisma's layout: prisma/migrations/<timestamp>_<name>/migration.sql.
import { createHash } from "node:crypto";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface MigrationFile {
  /** The directory name, e.g. 20261122120000_init; Prisma's migration_name. */
  name: string;
  sql: string;
  /** Lowercase hex SHA-256 of the file's bytes, exactly as Prisma computes it. */
  checksum: string;
}

/** prisma/migrations of this checkout, from src/db or dist/db alike. */
export const MIGRATIONS_DIR = fileURLToPath(new URL("../../prisma/migrations", import.meta.url));

/** The migrations in the order Prisma applies them: by directory name. */
export async function readMigrationFiles(dir: string = MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const files: MigrationFile[] = [];
  for (const name of names) {
    const path = join(dir, name, "migration.sql");
    if (!(await stat(path).catch(() => null))) continue;
    const bytes = await readFile(path);
    files.push({ name, sql: bytes.toString("utf8"), checksum: createHash("sha256").update(bytes).digest("hex") });
  }
  return files;
}
