// Which database errors a later try can get past. A connection the server ended (a restart, a
// failover, an administrator's pg_terminate_backend), a server that refuses connections for a
// while, a pool with no free connection, a serialization failure or a deadlock: each says nothing
// about the request being worked on, and the same statement succeeds once the database is back.
// Everything else (a constraint, a bug of ours) would fail the same way every time.
//
// The shapes below are what Prisma 7 with @prisma/adapter-pg gives, as seen in
// test/db/transient-errors.test.ts: a Prisma error code, the driver adapter's error kind or the
// server's SQLSTATE in `meta.driverAdapterError.cause`, or node-postgres's own Error for a
// connection that broke while a transaction held it.
import { doublingDelay } from "../backoff.js";
import { sleep } from "../clock.js";

/** Prisma's codes for "could not reach / lost the server" and "write conflict or deadlock". */
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2028", "P2034"]);

/** The driver adapter's kinds for the same. */
const ADAPTER_KINDS = new Set([
  "DatabaseNotReachable",
  "ConnectionClosed",
  "SocketTimeout",
  "TooManyConnections",
  "TransactionWriteConflict",
  "TransactionAlreadyClosed",
]);

/**
 * SQLSTATEs: admin shutdown, crash shutdown, cannot connect now (57P01–57P03), serialization
 * failure and deadlock (40001, 40P01), too many connections (53300); class 08 is connection
 * exceptions.
 */
const SQLSTATES = new Set(["57P01", "57P02", "57P03", "40001", "40P01", "53300"]);

/** Node's socket errors. */
const ERRNO_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
]);

/** node-postgres's messages for a connection that broke or never came. */
const PG_MESSAGES = [
  /^Connection terminated/,
  /encountered a connection error and is not queryable/,
  /^timeout exceeded when trying to connect/,
  /^Connection ended unexpectedly/,
];

export function isTransientDatabaseError(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && typeof current === "object" && depth < 5; depth++) {
    const e = current as {
      code?: unknown;
      kind?: unknown;
      originalCode?: unknown;
      message?: unknown;
      meta?: { driverAdapterError?: { cause?: unknown } };
      cause?: unknown;
    };
    if (
      typeof e.code === "string" &&
      (PRISMA_CODES.has(e.code) || SQLSTATES.has(e.code) || e.code.startsWith("08") || ERRNO_CODES.has(e.code))
    )
      return true;
    if (typeof e.originalCode === "string" && (SQLSTATES.has(e.originalCode) || e.originalCode.startsWith("08")))
      return true;
    if (typeof e.kind === "string" && ADAPTER_KINDS.has(e.kind)) return true;
    if (typeof e.message === "string" && PG_MESSAGES.some((pattern) => pattern.test(e.message as string))) return true;
    current = e.meta?.driverAdapterError?.cause ?? e.meta?.driverAdapterError ?? e.cause;
  }
  return false;
}

/**
 * Runs `write`, trying again with a growing pause (100 ms, doubling to 2 s) while it fails with
 * an error a retry can get past and `signal` has not aborted; any other error, or the one after
 * the signal aborted, is thrown. For a record that must land once its effect has happened (a
 * vendor's answer, Slack taking a notice): a blip must not turn it into a failure.
 */
export async function retryWhileTransient<T>(
  write: () => Promise<T>,
  signal: AbortSignal,
  onRetry: (error: unknown) => void,
): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await write();
    } catch (error) {
      if (!isTransientDatabaseError(error) || signal.aborted) throw error;
      onRetry(error);
      await sleep(doublingDelay(tries, 100, 2_000), signal);
    }
  }
}
