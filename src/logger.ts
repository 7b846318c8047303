// Logs are pino's: one JSON line per record on stdout, with levels, child loggers carrying their
// fields, and errors serialised with their cause. Secrets are kept out twice. pino's `redact`
// blanks fields whose name says they hold one (authorization, token, password …), and every
// finished line passes the same redactor the rest of rolegate uses, which replaces each secret
// registered at start (Slack tokens, vendor keys, the database password) wherever it appears —
// in a message, a field, an error's message or stack — because a library's error may quote a URL
// or header we handed it. For a person reading along in development: `npm run dev` pipes the
// lines through pino-pretty.
import { pino, stdSerializers, type Logger as Pino } from "pino";
import type { LogLevel } from "./config/env.js";
import { createRedactor } from "./secrets.js";

type Fields = Record<string, unknown>;

/** The logging surface rolegate's code uses: a message first, then what it is about. */
export interface Logger {
  error(message: string, fields?: Fields): void;
  warn(message: string, fields?: Fields): void;
  info(message: string, fields?: Fields): void;
  debug(message: string, fields?: Fields): void;
  child(fields: Fields): Logger;
}

export interface LoggerOptions {
  level: LogLevel;
  /** Values that must never be written. */
  secrets?: Iterable<string>;
  /** Where each line goes, without its newline; stdout when absent. */
  write?: (line: string) => void;
}

/** Field names whose values are credentials, whatever they contain. */
const SECRET_FIELDS = ["authorization", "token", "password", "secret", "apiKey", "api_key"];
const REDACT_PATHS = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((f) => `*.${f}`),
  "*.headers.authorization",
  "*.headers.cookie",
];

export function createLogger(options: LoggerOptions): Logger {
  const scrub = createRedactor(options.secrets ?? []);
  const write = options.write;
  const destination = write
    ? { write: (chunk: string) => write(chunk.replace(/\n$/, "")) }
    : pino.destination({ dest: 1, sync: true });
  const base = pino(
    {
      level: options.level,
      // "level":"warn" rather than 40: what people grep for and alert on.
      formatters: { level: (label) => ({ level: label }) },
      timestamp: pino.stdTimeFunctions.isoTime,
      serializers: { error: stdSerializers.errWithCause, err: stdSerializers.errWithCause },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      hooks: { streamWrite: scrub },
    },
    destination,
  );
  return wrap(base);
}

function wrap(logger: Pino): Logger {
  return {
    error: (message, fields) => logger.error(fields ?? {}, message),
    warn: (message, fields) => logger.warn(fields ?? {}, message),
    info: (message, fields) => logger.info(fields ?? {}, message),
    debug: (message, fields) => logger.debug(fields ?? {}, message),
    child: (fields) => wrap(logger.child(fields)),
  };
}
