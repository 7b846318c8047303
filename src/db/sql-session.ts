// The migration runner needs what Prisma's client does not give: multi-statement scripts (the
// simple query protocol) on one dedicated connection. This is that connection, for either
// database, behind one small interface.
import type { PGlite } from "@electric-sql/pglite";
import pg from "pg";

export interface SqlSession {
  /** Runs a script of one or more statements. */
  exec(script: string): Promise<void>;
  /** Runs one parameterised statement and returns its rows. */
  query<Row extends object>(sql: string, params?: unknown[]): Promise<Row[]>;
  /** Runs `work` while holding the lock `key`, which other callers of any process wait for. */
  withLock<T>(key: number, work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export async function connectPostgresSession(connectionString: string): Promise<SqlSession> {
  const client = new pg.Client({ connectionString });
  // A connection the server ends fails the statement under way for its caller; without a
  // listener, the client's 'error' event would end the process instead.
  client.on("error", () => {});
  await client.connect();
  return {
    exec: async (script) => void (await client.query(script)),
    query: async <Row extends object>(sql: string, params: unknown[] = []) =>
      (await client.query(sql, params)).rows as Row[],
    withLock: async (key, work) => {
      await client.query("SELECT pg_advisory_lock($1)", [key]);
      try {
        return await work();
      } finally {
        await client.query("SELECT pg_advisory_unlock($1)", [key]).catch(() => {});
      }
    },
    close: () => client.end(),
  };
}

/**
 * PGlite is one connection, on which advisory locks are re-entrant, so they would not keep two
 * callers apart. Only one process can open a PGlite directory, so an in-process queue per
 * database and key is the complete equivalent.
 */
const pgliteLocks = new WeakMap<PGlite, Map<number, Promise<unknown>>>();

function pgliteLock<T>(db: PGlite, key: number, work: () => Promise<T>): Promise<T> {
  const locks = pgliteLocks.get(db) ?? new Map<number, Promise<unknown>>();
  pgliteLocks.set(db, locks);
  const previous = locks.get(key) ?? Promise.resolve();
  const run = previous.catch(() => {}).then(work);
  locks.set(key, run);
  return run;
}

/** A session over an embedded database that its owner keeps open: close() leaves it open. */
export function pgliteSession(db: PGlite): SqlSession {
  return {
    exec: async (script) => void (await db.exec(script)),
    query: async <Row extends object>(sql: string, params: unknown[] = []) => (await db.query<Row>(sql, params)).rows,
    withLock: (key, work) => pgliteLock(db, key, work),
    close: async () => {},
  };
}
