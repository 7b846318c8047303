// Which database errors rolegate treats as a blip to retry, shown on the errors Prisma really
// raises: connections cut by the network or terminated by the server, a server that refuses
// connections, write conflicts — against errors that would fail the same way every time.
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/database.js";
import { isTransientDatabaseError } from "../../src/db/transient-errors.js";
import { ADMIN_URL, createEmptyDatabase, postgresAvailable, quietLogger, requireServer } from "../support/database.js";
import { TcpProxy } from "../support/tcp-proxy.js";

let proxy: TcpProxy;
let database: Database;
let drop: () => Promise<void>;
let name: string;

beforeAll(async () => {
  requireServer((await postgresAvailable()) ? "postgres" : "pglite", "connections are cut and terminated on a server");
  const empty = await createEmptyDatabase("rolegate_blips");
  name = new URL(empty.url).pathname.slice(1);
  proxy = await TcpProxy.to("127.0.0.1", Number(new URL(empty.url).port || 5432));
  database = await openDatabase({ url: proxy.url(empty.url), dataDir: "", poolSize: 4 }, quietLogger);
  drop = empty.drop;
});

afterAll(async () => {
  await database?.close();
  await proxy?.stop();
  await drop?.();
});

const failureOf = (work: PromiseLike<unknown>) =>
  Promise.resolve(work).then(
    () => {
      throw new Error("expected the database to fail");
    },
    (error: unknown) => error,
  );

async function whileSleeping(act: () => Promise<unknown>): Promise<unknown> {
  const failure = failureOf(database.prisma.$queryRaw`SELECT 1 FROM pg_sleep(5)`);
  await untilActive("pg_sleep(5)");
  await act();
  return failure;
}

async function untilActive(fragment: string): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    for (let i = 0; i < 200; i++) {
      const { rows } = await admin.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND strpos(query, $2) > 0",
        [name, fragment],
      );
      if (rows[0]!.n > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`no query with ${fragment} started`);
  } finally {
    await admin.end();
  }
}

async function adminQuery(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(sql, []).finally(() => admin.end());
}

describe("a database error a retry can get past", () => {
  it("is a connection the server terminated under a running query (57P01)", async () => {
    const error = await whileSleeping(() =>
      adminQuery(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}' AND query LIKE '%pg_sleep(5)%'`,
      ),
    );
    expect(String(error)).toContain("57P01");
    expect(isTransientDatabaseError(error)).toBe(true);
  });

  it("is a connection the network cut under a running query", async () => {
    const error = await whileSleeping(async () => proxy.cut());
    expect(isTransientDatabaseError(error)).toBe(true);
  });

  it("is a connection cut while a transaction holds it between two statements", async () => {
    const error = await failureOf(
      database.prisma.$transaction(async (tx) => {
        await tx.$queryRaw`SELECT 1`;
        proxy.cut();
        await new Promise((resolve) => setTimeout(resolve, 50));
        await tx.$queryRaw`SELECT 2`;
      }),
    );
    expect(isTransientDatabaseError(error)).toBe(true);
  });

  it("is a server that refuses connections, whatever the query", async () => {
    await proxy.stop();
    try {
      const errors = [
        await failureOf(database.prisma.$queryRaw`SELECT 1`),
        await failureOf(database.prisma.auditEvent.findMany({ take: 1 })),
        await failureOf(database.prisma.$transaction(async (tx) => tx.$queryRaw`SELECT 1`)),
      ];
      for (const error of errors) expect(isTransientDatabaseError(error), String(error)).toBe(true);
    } finally {
      await proxy.start();
    }
  });

  it("is a serialization failure or a deadlock, and the server saying it cannot take connections yet", async () => {
    for (const code of ["40001", "40P01", "57P03"]) {
      const error = await failureOf(
        database.prisma.$executeRawUnsafe(`DO $$ BEGIN RAISE EXCEPTION 'blip' USING ERRCODE = '${code}'; END $$`),
      );
      expect(isTransientDatabaseError(error), code).toBe(true);
    }
  });
});

describe("a database error that would fail the same way every time", () => {
  it("is a constraint, a syntax error or a missing table", async () => {
    const errors = [
      await failureOf(
        database.prisma.$executeRawUnsafe(`DO $$ BEGIN RAISE EXCEPTION 'dup' USING ERRCODE = '23505'; END $$`),
      ),
      await failureOf(database.prisma.$executeRawUnsafe("SELEC 1")),
      await failureOf(database.prisma.$queryRawUnsafe("SELECT * FROM no_such_table")),
      new Error("rolegate bug"),
    ];
    for (const error of errors) expect(isTransientDatabaseError(error), String(error)).toBe(false);
  });
});
