// A real database for each test file: a fresh PostgreSQL database on the local server (always
// in CI), or an in-memory PGlite where no server answers. Migrated by the project's own runner.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, beforeEach } from "vitest";
import { openDatabase, type Database } from "../../src/db/database.js";
import { createLogger } from "../../src/logger.js";
import { TcpProxy } from "./tcp-proxy.js";

export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export const quietLogger = createLogger({ level: "error", write: () => {} });

export interface TestDatabase extends Database {
  /** The connection string of this test's own database, when it is on a server. */
  url: string | undefined;
  kind: "postgres" | "pglite";
  drop(): Promise<void>;
}

let serverAnswers: Promise<boolean> | undefined;

export function postgresAvailable(): Promise<boolean> {
  serverAnswers ??= (async () => {
    const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      await client.end();
      return true;
    } catch (error) {
      // CI must test against the real server: failing here beats silently testing less.
      if (process.env.CI)
        throw new Error(`PostgreSQL at ${ADMIN_URL} does not answer: ${(error as Error).message}`, { cause: error });
      return false;
    }
  })();
  return serverAnswers;
}

/**
 * For a test of what only a database server does — two processes sharing it, a second connection
 * holding a lock, a connection terminated on the server. Without one it fails and says so: a
 * fault the test cannot make is not a fault it has shown handled, and a skip would read as a pass.
 */
export function requireServer(kind: "postgres" | "pglite", why: string): void {
  if (kind !== "postgres")
    throw new Error(
      `This test needs a PostgreSQL server: ${why}. Start one on 127.0.0.1:5432, or set TEST_DATABASE_URL.`,
    );
}

/** Creates an empty database on the server and returns its URL. */
export async function createEmptyDatabase(
  prefix = "rolegate_test",
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export async function openTestDatabase(options: { poolSize?: number } = {}): Promise<TestDatabase> {
  if (await postgresAvailable()) {
    const empty = await createEmptyDatabase();
    const database = await openDatabase({ url: empty.url, dataDir: "", poolSize: options.poolSize ?? 20 }, quietLogger);
    return {
      ...database,
      url: empty.url,
      kind: "postgres",
      drop: async () => {
        await database.close();
        await empty.drop();
      },
    };
  }
  const database = await openDatabase({ dataDir: "memory://" }, quietLogger);
  return { ...database, url: undefined, kind: "pglite", drop: () => database.close() };
}

/**
 * A database of the test's own on the server, which rolegate reaches through a TCP proxy: the
 * test can cut, refuse or stall its connections as a restart, a stop or a dead route would.
 */
export type ProxiedTestDatabase = TestDatabase & { proxy: TcpProxy };

async function openProxiedTestDatabase(why: string, options: { poolSize?: number } = {}): Promise<ProxiedTestDatabase> {
  requireServer((await postgresAvailable()) ? "postgres" : "pglite", why);
  const empty = await createEmptyDatabase("rolegate_faults");
  const proxy = await TcpProxy.to("127.0.0.1", Number(new URL(empty.url).port || 5432));
  const database = await openDatabase(
    { url: proxy.url(empty.url), dataDir: "", poolSize: options.poolSize ?? 5 },
    quietLogger,
  );
  return {
    ...database,
    url: empty.url,
    kind: "postgres",
    proxy,
    drop: async () => {
      await proxy.start(); // a test may end with the database unreachable
      await database.close();
      await proxy.stop();
      await empty.drop();
    },
  };
}

/**
 * Gives the calling test file a proxied database (openProxiedTestDatabase), emptied and
 * reachable again before each test. Read `database` inside tests.
 */
export function useProxiedDatabase(why: string): { readonly database: ProxiedTestDatabase } {
  const current = {} as { database: ProxiedTestDatabase };
  beforeAll(async () => {
    current.database = await openProxiedTestDatabase(why);
  });
  afterAll(async () => {
    await current.database?.drop();
  });
  beforeEach(async () => {
    await current.database.proxy.start();
    await resetData(current.database);
  });
  return current;
}

/** Empties every table between tests; the audit trail's guard is lifted for the purpose. */
export async function resetData(database: Database): Promise<void> {
  const session = await database.openSession();
  try {
    await session.exec(`
      ALTER TABLE audit_events DISABLE TRIGGER USER;
      ALTER TABLE ledger_changes DISABLE TRIGGER USER;
      TRUNCATE audit_events, notices, approvals, request_members, role_requests, home_viewers,
        inventory_targets, ledger_members, ledger_changes, outside_changes, alert_cards, audit_log_tail RESTART IDENTITY;
      ALTER TABLE audit_events ENABLE TRIGGER USER;
      ALTER TABLE ledger_changes ENABLE TRIGGER USER;`);
  } finally {
    await session.close();
  }
}
