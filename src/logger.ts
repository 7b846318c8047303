// One JSON line per log record on stdout. Secrets (Slack tokens, vendor keys) are registered at
// start and replaced by "[redacted]" wherever they appear — in messages, fields and error stacks —
// because an error message from a library may quote a URL or header we handed it.
import type { LogLevel } from "./config/env.js";
import { createRedactor } from "./secrets.js";

export type Fields = Record<string, unknown>;

export interface Logger {
  error(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  debug(message: string, fields?: Fields): void;
  child(fields: Fields): Logger;
}

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export interface LoggerOptions {
  level: LogLevel;
  /** Values that must never be written. */
  secrets?: Iterable<string>;
  write?: (line: string) => void;
  clock?: () => Date;
}

export function createLogger(options: LoggerOptions, bound: Fields = {}): Logger {
  const write = options.write ?? ((line: string) => process.stdout.write(line + "\n"));
  const clock = options.clock ?? (() => new Date());
  const scrub = createRedactor(options.secrets ?? []);

  const emit = (level: LogLevel, message: string, fields?: Fields) => {
    if (RANK[level] > RANK[options.level]) return;
    const record = { time: clock().toISOString(), level, msg: message, ...bound, ...fields };
    write(scrub(JSON.stringify(record, errorReplacer)));
  };

  return {
    error: (m, f) => emit("error", m, f),
    warn: (m, f) => emit("warn", m, f),
    info: (m, f) => emit("info", m, f),
    debug: (m, f) => emit("debug", m, f),
    child: (fields) => createLogger({ ...options, write, clock }, { ...bound, ...fields }),
  };
}

/** Errors serialise to {} by default; keep what a person needs to find the fault. */
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const extra = Object.fromEntries(Object.entries(value).filter(([k]) => k !== "cause"));
    return { type: value.name, message: value.message, ...extra, stack: value.stack, cause: value.cause };
  }
  if (typeof value === "bigint") return value.toString();
  return value;
}
