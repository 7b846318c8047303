import { createHash } from "node:crypto";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/database.js";
import { applyMigrations } from "../../src/db/migrate.js";
import { MIGRATIONS_DIR, readMigrationFiles } from "../../src/db/migration-files.js";
import { connectPostgresSession, pgliteSession, type SqlSession } from "../../src/db/sql-session.js";
import { createEmptyDatabase, openTestDatabase, postgresAvailable, quietLogger } from "../support/database.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A session on an empty database: PostgreSQL when a server answers, else in-memory PGlite. */
async function emptySession(): Promise<{ session: SqlSession; another: () => Promise<SqlSession> }> {
  if (await postgresAvailable()) {
    const db = await createEmptyDatabase("rolegate_migrate");
    const sessions: SqlSession[] = [];
    const another = async () => {
      const s = await connectPostgresSession(db.url);
      sessions.push(s);
      return s;
    };
    const session = await another();
    cleanups.push(async () => {
      for (const s of sessions) await s.close();
      await db.drop();
    });
    return { session, another };
  }
  const pglite = new PGlite();
  cleanups.push(() => pglite.close());
  return { session: pgliteSession(pglite), another: async () => pgliteSession(pglite) };
}

async function copyOfMigrations(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "rolegate-migrations-"));
  await cp(MIGRATIONS_DIR, dir, { recursive: true });
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function addMigration(dir: string, name: string, sql: string): Promise<void> {
  await mkdir(join(dir, name));
  await writeFile(join(dir, name, "migration.sql"), sql);
}

describe("applying migrations", () => {
  it("applies every migration once and records it exactly as Prisma does", async () => {
    const { session } = await emptySession();
    const files = await readMigrationFiles();
    expect(files.length).toBeGreaterThan(0);

    const first = await applyMigrations(session, files, quietLogger);
    expect(first).toEqual({ applied: files.map((f) => f.name), alreadyApplied: 0 });

    const rows = await session.query<Record<string, unknown>>(
      `SELECT * FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    for (const [i, file] of files.entries()) {
      const bytes = await readFile(join(MIGRATIONS_DIR, file.name, "migration.sql"));
      expect(rows[i]).toMatchObject({
        migration_name: file.name,
        checksum: createHash("sha256").update(bytes).digest("hex"),
        logs: null,
        rolled_back_at: null,
        applied_steps_count: 1,
      });
      expect(rows[i]!.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(rows[i]!.finished_at).toBeInstanceOf(Date);
    }
    const columns = await session.query<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    expect(columns.map((c) => `${c.column_name} ${c.data_type}`)).toEqual([
      "id character varying",
      "checksum character varying",
      "finished_at timestamp with time zone",
      "migration_name character varying",
      "logs text",
      "rolled_back_at timestamp with time zone",
      "started_at timestamp with time zone",
      "applied_steps_count integer",
    ]);

    expect(await applyMigrations(session, files, quietLogger)).toEqual({ applied: [], alreadyApplied: files.length });
  });

  it("refuses an applied migration whose file changed, naming the file", async () => {
    const { session } = await emptySession();
    const dir = await copyOfMigrations();
    await applyMigrations(session, await readMigrationFiles(dir), quietLogger);

    const [first] = await readMigrationFiles(dir);
    await writeFile(join(dir, first!.name, "migration.sql"), first!.sql + "\n-- an innocent-looking edit\n");

    await expect(applyMigrations(session, await readMigrationFiles(dir), quietLogger)).rejects.toThrow(
      `The migration file prisma/migrations/${first!.name}/migration.sql changed after it was applied to this database.`,
    );
  });

  it("rolls a failing migration back whole and records nothing, so the next start can try again", async () => {
    const { session } = await emptySession();
    const dir = await copyOfMigrations();
    await addMigration(
      dir,
      "29991231000000_broken",
      `CREATE TABLE half_done (id int);\nALTER TABLE no_such_table ADD COLUMN x int;\n`,
    );

    await expect(applyMigrations(session, await readMigrationFiles(dir), quietLogger)).rejects.toThrow(
      /Migration 29991231000000_broken failed and was rolled back: .*no_such_table/,
    );
    const tables = await session.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'half_done'`,
    );
    expect(tables[0]!.n).toBe(0);
    const recorded = await session.query<{ migration_name: string }>(`SELECT migration_name FROM "_prisma_migrations"`);
    expect(recorded.map((r) => r.migration_name)).not.toContain("29991231000000_broken");
  });

  it("refuses to go on past a migration Prisma recorded as failed, and says how to resolve it", async () => {
    const { session } = await emptySession();
    const files = await readMigrationFiles();
    await applyMigrations(session, files, quietLogger);
    await session.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at) VALUES ('00000000-0000-0000-0000-000000000001', 'x', '29990101000000_left_failed', now())`,
    );
    await expect(applyMigrations(session, files, quietLogger)).rejects.toThrow(
      "Migration 29990101000000_left_failed failed earlier and was never marked as rolled back",
    );
  });

  it("two processes starting at once apply each migration once (Prisma's advisory lock)", async () => {
    const { another } = await emptySession();
    const files = await readMigrationFiles();
    const [a, b] = await Promise.all([another(), another()]);
    const reports = await Promise.all([applyMigrations(a, files, quietLogger), applyMigrations(b, files, quietLogger)]);

    expect(reports.map((r) => r.applied.length).sort()).toEqual([0, files.length]);
    const rows = await a.query<{ n: number }>(`SELECT count(*)::int AS n FROM "_prisma_migrations"`);
    expect(rows[0]!.n).toBe(files.length);
  });
});

describe("the audit trail", () => {
  it("is append-only: the database refuses to update or delete an event", async () => {
    const database = await openTestDatabase();
    cleanups.push(() => database.drop());
    await database.prisma.roleRequest.create({
      data: {
        id: "AAAAAA",
        kind: "SET_ROLE",
        target: "t",
        requestedRoleId: "admin",
        requestedRoleName: "Admin",
        reason: "r",
        requesterId: "U1",
        requiredApprovals: 1,
        expiresAt: new Date(),
      },
    });
    const event = await database.prisma.auditEvent.create({
      data: { requestId: "AAAAAA", type: "FILED", actor: "U1" },
    });

    await expect(
      database.prisma.auditEvent.update({ where: { id: event.id }, data: { actor: "someone else" } }),
    ).rejects.toThrow(/append-only/);
    await expect(database.prisma.auditEvent.deleteMany({})).rejects.toThrow(/append-only/);
    expect(await database.prisma.auditEvent.findUnique({ where: { id: event.id } })).toMatchObject({ actor: "U1" });
  });
});

describe("the embedded database", () => {
  it("is created and migrated in ROLEGATE_DATA_DIR on first start, and kept across restarts", async () => {
    const parent = await mkdtemp(join(tmpdir(), "rolegate-data-"));
    cleanups.push(() => rm(parent, { recursive: true, force: true }));
    const dataDir = join(parent, "nested", "data");

    const first = await openDatabase({ dataDir }, quietLogger);
    await first.prisma.roleRequest.create({
      data: {
        id: "BBBBBB",
        kind: "SET_ROLE",
        target: "t",
        requestedRoleId: "admin",
        requestedRoleName: "Admin",
        reason: "r",
        requesterId: "U1",
        requiredApprovals: 1,
        expiresAt: new Date(),
      },
    });
    await first.close();

    const second = await openDatabase({ dataDir }, quietLogger);
    cleanups.push(() => second.close());
    expect(await second.prisma.roleRequest.findUnique({ where: { id: "BBBBBB" } })).toMatchObject({
      status: "PENDING",
    });
    const session = await second.openSession();
    const rows = await session.query<{ n: number }>(`SELECT count(*)::int AS n FROM "_prisma_migrations"`);
    expect(rows[0]!.n).toBe((await readMigrationFiles()).length);
    // Sized for rolegate, not a server: every buffer lives in the process's memory.
    expect(await session.query<{ shared_buffers: string }>("SHOW shared_buffers")).toEqual([
      { shared_buffers: "16MB" },
    ]);
  });
});
