// The process environment, validated once at start. Every problem is reported in one message
// so a person fixes them all in one go, and nothing (database, Slack) is touched before.
import { z } from "zod";
import { ConfigError, README_POINTER } from "./errors.js";

const LOG_LEVELS = ["error", "warn", "info", "debug"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const blankAsUnset = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankAsUnset, schema.optional());

const envSchema = z.object({
  SLACK_BOT_TOKEN: z.preprocess(
    blankAsUnset,
    z
      .string({ error: "is not set: the bot token (xoxb-…) from the Slack app's OAuth & Permissions page" })
      .startsWith("xoxb-", { error: "must be a bot token, starting with xoxb-" }),
  ),
  SLACK_SIGNING_SECRET: optional(z.string()),
  SLACK_APP_TOKEN: optional(
    z.string().startsWith("xapp-", { error: "must be an app-level token, starting with xapp-" }),
  ),
  SLACK_API_URL: optional(
    z.url({ protocol: /^https?$/, error: "must be an http(s) URL such as https://slack-gov.com/api/" }),
  ),
  PORT: z.preprocess(
    blankAsUnset,
    z.coerce
      .number({ error: "must be a port number" })
      .int()
      .min(1)
      .max(65535, { error: "must be a port number between 1 and 65535" })
      .default(3000),
  ),
  // Slack takes about one message a second in a channel; 0 leaves its 429 as the only brake.
  SLACK_CHANNEL_PACE_MS: z.preprocess(
    blankAsUnset,
    z.coerce
      .number({ error: "must be a number of milliseconds, such as 1000" })
      .int({ error: "must be a whole number of milliseconds, such as 1000" })
      .min(0, { error: "must be 0 or more milliseconds, such as 1000" })
      .max(60_000, { error: "must be at most 60000 milliseconds" })
      .default(1_000),
  ),
  DATABASE_URL: optional(
    z.string().regex(/^postgres(ql)?:\/\//, {
      error: "must be a PostgreSQL URL (postgresql://user@host:5432/db); leave it unset for the embedded database",
    }),
  ),
  // GET /audit/events is served only when this is set, and then only to `Bearer <this>`.
  ROLEGATE_AUDIT_TOKEN: optional(
    z
      .string()
      .min(32, { error: "must be at least 32 characters: generate one with `openssl rand -hex 32`" })
      .regex(/^[\x21-\x7e]+$/, { error: "must be printable ASCII without spaces, as an HTTP header carries it" }),
  ),
  ROLEGATE_DATA_DIR: z.preprocess(blankAsUnset, z.string().default("./.data")),
  ROLEGATE_CONFIG: z.preprocess(blankAsUnset, z.string().default("./rolegate.yml")),
  LOG_LEVEL: z.preprocess(
    (value) => (typeof value === "string" ? blankAsUnset(value.toLowerCase()) : value),
    z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` }).default("info"),
  ),
});

/**
 * HTTP mode verifies every request from Slack with the signing secret; Socket Mode receives
 * events over a socket the app opened itself and needs none. Checked apart from the schema so
 * it is reported even when other variables are wrong too (zod skips refinements then).
 */
function modeProblems(source: NodeJS.ProcessEnv): string[] {
  const set = (name: string) => blankAsUnset(source[name]) !== undefined;
  if (set("SLACK_APP_TOKEN") || set("SLACK_SIGNING_SECRET")) return [];
  return [
    "SLACK_SIGNING_SECRET is not set: HTTP mode needs the signing secret from the Slack app's Basic Information page (or set SLACK_APP_TOKEN for Socket Mode)",
  ];
}

export type Env = z.infer<typeof envSchema>;

/** The validated environment, or a ConfigError naming every missing or malformed variable. */
export function readEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = envSchema.safeParse(source);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`)),
    ...modeProblems(source),
  ];
  if (parsed.success && problems.length === 0) return parsed.data;
  throw new ConfigError(
    `rolegate cannot start: the environment is incomplete.\n${problems.map((p) => `  - ${p}`).join("\n")}\n${README_POINTER}`,
    problems,
  );
}
