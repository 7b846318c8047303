// A database connection terminated under rolegate — an administrator's pg_terminate_backend, a
// failover, a server restart — is a fault to log and ride out, never a crash: node-postgres
// emits 'error' on the client, and an 'error' event nobody listens to ends the process.
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/database.js";
import { createLogger } from "../../src/logger.js";
import { ADMIN_URL, createEmptyDatabase, postgresAvailable, requireServer } from "../support/database.js";
import { waitFor } from "../support/wait.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** Terminates every connection to `name` but the caller's, as an administrator would; returns how many. */
async function terminateAll(name: string): Promise<number> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()) t",
      [name],
    );
    return rows[0]!.n;
  } finally {
    await admin.end();
  }
}

describe("a terminated database connection", () => {
  it("never crashes the process: connections idle and in use are cut, the fault is logged, and the next queries run on fresh ones", async () => {
    requireServer((await postgresAvailable()) ? "postgres" : "pglite", "connections are terminated on the server");
    const empty = await createEmptyDatabase("rolegate_faults");
    const logs: string[] = [];
    const database: Database = await openDatabase(
      { url: empty.url, dataDir: "", poolSize: 6 },
      createLogger({ level: "warn", write: (line) => logs.push(line) }),
    );
    cleanups.push(async () => {
      await database.close();
      await empty.drop();
    });
    const crashes: unknown[] = [];
    const onCrash = (error: unknown) => crashes.push(error);
    process.on("uncaughtException", onCrash);
    cleanups.push(async () => void process.off("uncaughtException", onCrash));

    // When the cut comes: three connections are busy in a query, two are checked out by
    // transactions between two statements (where node-postgres has no listener of its own), and
    // the last is idle in the pool.
    await Promise.all(Array.from({ length: 6 }, () => database.prisma.$queryRaw`SELECT 1`));
    let finish!: () => void;
    const cut = new Promise<void>((resolve) => (finish = resolve));
    const held = Array.from({ length: 2 }, () =>
      database.prisma
        .$transaction(async (tx) => {
          await tx.$queryRaw`SELECT 1`;
          await cut;
          await tx.$queryRaw`SELECT 1`;
        })
        .then(
          () => "committed",
          (error: unknown) => `failed: ${String(error)}`,
        ),
    );
    const busy = Array.from({ length: 3 }, () =>
      database.prisma.$queryRaw`SELECT pg_sleep(2)`.then(
        () => "answered",
        (error: unknown) => `failed: ${String(error)}`,
      ),
    );
    await waitFor(async () => {
      const admin = new pg.Client({ connectionString: ADMIN_URL });
      await admin.connect();
      const { rows } = await admin.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE query LIKE '%pg_sleep%' AND state = 'active' AND datname = $1",
        [new URL(empty.url).pathname.slice(1)],
      );
      await admin.end();
      return rows[0]!.n === 3;
    }, "three queries under way");
    expect(await terminateAll(new URL(empty.url).pathname.slice(1))).toBeGreaterThanOrEqual(5); // the busy and the held ones at least

    for (const outcome of await Promise.all(busy)) expect(outcome).toMatch(/^failed: [\s\S]*57P01/); // an error for the caller, not for the process
    // The connections not in a query when they were cut (the held ones, and any idle) say so by an 'error' event: logged.
    await waitFor(
      () => logs.filter((l) => l.includes("a database connection failed; the pool replaces it")).length >= 2,
      "the cut connections to be logged",
    );
    finish();
    for (const outcome of await Promise.all(held)) expect(outcome).toMatch(/^failed: /);
    // A query may still meet a cut connection the pool has not dropped yet (retrying it is the
    // executor's and the listeners' job); the pool soon serves fresh ones.
    await waitFor(
      () =>
        database.prisma.$queryRaw`SELECT 1`.then(
          () => true,
          () => false,
        ),
      "a query on a fresh connection",
    );
    expect(crashes).toEqual([]);
  });
});
