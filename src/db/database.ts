// The one place that knows which database rolegate has. DATABASE_URL set: PostgreSQL through
// @prisma/adapter-pg. Unset: embedded PGlite persisted in a directory, created and migrated on
// first start. Everything above this module sees a PrismaClient and nothing else.
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import type { Logger } from "../logger.js";
import { PrismaClient } from "./generated/client.js";
import { createEmbeddedDirectory, holdsDatabase } from "./embedded-directory.js";
import { applyMigrations, type MigrationReport } from "./migrate.js";
import { readMigrationFiles } from "./migration-files.js";
import { missingMigrations } from "./migration-state.js";
import { connectPostgresSession, pgliteSession, type SqlSession } from "./sql-session.js";

export interface DatabaseOptions {
  /** PostgreSQL connection string; when absent the embedded database in dataDir is used. */
  url?: string | undefined;
  dataDir: string;
  /** Connections in the pool (PostgreSQL only; the embedded database has exactly one). */
  poolSize?: number;
}

export interface Database {
  prisma: PrismaClient;
  /** For logs and `doctor`: where the data lives, without credentials. */
  description: string;
  /** A connection that runs scripts: the migration runner and tests use it. */
  openSession(): Promise<SqlSession>;
  /** This build's migrations the database has not applied (none, once migrated). */
  missingMigrations(): Promise<string[]>;
  /** The connection pool's state, for the metrics (PostgreSQL only: the embedded one has none). */
  poolStats?(): { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

/** Opens the database and brings its schema up to date before anything else uses it. */
export async function openDatabase(options: DatabaseOptions, logger: Logger): Promise<Database> {
  const database = options.url
    ? openPostgres(options.url, options.poolSize ?? 10, logger)
    : await openEmbedded(options.dataDir);
  try {
    await migrateDatabase(database, logger);
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

async function migrateDatabase(database: Database, logger: Logger): Promise<MigrationReport> {
  const session = await database.openSession();
  try {
    const report = await applyMigrations(session, await readMigrationFiles(), logger);
    logger.info("database ready", {
      database: database.description,
      applied: report.applied,
      upToDate: report.alreadyApplied,
    });
    return report;
  } finally {
    await session.close();
  }
}

function openPostgres(url: string, poolSize: number, logger: Logger): Database {
  // Our own pool, handed to the adapter, so its state can be reported. A connection that does
  // not come within 5 s fails (a server behind a dead route would otherwise hold a click's
  // answer, or an executor's attempt, for as long as TCP takes to give up), and keepalives let
  // the kernel notice a peer that vanished.
  const pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 5_000, keepAlive: true });
  // A connection the server ends (an administrator's pg_terminate_backend, a failover, a
  // restart) makes its client emit 'error', and an 'error' event nobody listens to ends the
  // process. node-postgres listens for the pool only while a client is idle; every client gets a
  // listener of its own for its whole life, checked out or not. The query it was running fails
  // for its caller, and the pool drops the broken client and opens a fresh one when next asked.
  pool.on("connect", (client) =>
    client.on("error", (error) => logger.warn("a database connection failed; the pool replaces it", { error })),
  );
  // Passed on by the pool for an idle client, whose own listener above has logged it already.
  pool.on("error", () => {});
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  return {
    prisma,
    missingMigrations: () => missingMigrations((sql) => prisma.$queryRawUnsafe(sql)),
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    description: describePostgres(url),
    openSession: () => connectPostgresSession(url),
    close: () => prisma.$disconnect(),
  };
}

/**
 * PostgreSQL's defaults are sized for a server with memory to spare; in PGlite every buffer lives
 * in the process's WebAssembly memory, which grows and never shrinks. rolegate's data is small:
 * 16 MB of shared buffers (PostgreSQL's default is 128 MB) hold its working set, and the rest
 * is read from the OS's cache. Measured with the soak: see README, "Memory".
 */
const EMBEDDED_SETTINGS = ["shared_buffers = 16MB", "maintenance_work_mem = 16MB", "temp_buffers = 2MB"];

async function openEmbedded(dataDir: string): Promise<Database> {
  // "memory://" keeps the database in memory (tests on a machine without a server).
  const inMemory = dataDir.startsWith("memory://");
  const dir = inMemory ? dataDir : resolve(dataDir);
  if (!inMemory) {
    await mkdir(dir, { recursive: true });
    if (!(await holdsDatabase(dir))) await createEmbeddedDirectory(dir, EMBEDDED_SETTINGS);
  }
  // Loaded only here: a server deployment never pays PGlite's memory.
  const [{ PGlite }, { PrismaPGlite }] = await Promise.all([
    import("@electric-sql/pglite"),
    import("pglite-prisma-adapter"),
  ]);
  const pglite = await PGlite.create(dir, { postgresqlconf: EMBEDDED_SETTINGS });
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  return {
    prisma,
    missingMigrations: () => missingMigrations((sql) => prisma.$queryRawUnsafe(sql)),
    description: `embedded PGlite in ${dir}`,
    openSession: async () => pgliteSession(pglite),
    close: async () => {
      await prisma.$disconnect();
      await pglite.close();
    },
  };
}

function describePostgres(url: string): string {
  try {
    const parsed = new URL(url);
    return `PostgreSQL ${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}`;
  } catch {
    return "PostgreSQL";
  }
}
