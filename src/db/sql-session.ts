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
  close(): Promise<void>;
}

export async function connectPostgresSession(connectionString: string): Promise<SqlSession> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  return {
    exec: async (script) => void (await client.query(script)),
    query: async <Row extends object>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as Row[],
    close: () => client.end(),
  };
}

/** A session over an embedded database that its owner keeps open: close() leaves it open. */
export function pgliteSession(db: PGlite): SqlSession {
  return {
    exec: async (script) => void (await db.exec(script)),
    query: async <Row extends object>(sql: string, params: unknown[] = []) => (await db.query<Row>(sql, params)).rows,
    close: async () => {},
  };
}
