// rolegate.yml: where cards go, who decides, and the targets people can ask for. Validated
// with zod; every error names the key path (and the line) so a person can go straight to it.
// Credentials never live here, only the name of the environment variable that holds each.
import { readFile } from "node:fs/promises";
import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { parseDuration } from "./duration.js";
import { ConfigError, README_POINTER } from "./errors.js";

const VENDORS = ["sentry", "devin", "dolfin", "aitronos"] as const;
export type VendorName = (typeof VENDORS)[number];

const slackUserId = z
  .string()
  .regex(/^[UW][A-Z0-9]{2,}$/, { error: "must be a Slack user id such as U0123ABCD (not a name or @mention)" });
const usergroupId = z
  .string()
  .regex(/^S[A-Z0-9]{2,}$/, { error: "must be a Slack user group id such as S0123ABCD (not a @handle)" });

const duration = (example: string) =>
  z.string({ error: `must be a duration such as ${example}` }).transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === null || ms <= 0) {
      ctx.addIssue({
        code: "custom",
        message: `"${text}" is not a duration; write it like ${example} (units: s, m, h, d)`,
      });
      return z.NEVER;
    }
    return ms;
  });

const approversSchema = z
  .strictObject({
    users: z.array(slackUserId).default([]),
    usergroups: z.array(usergroupId).default([]),
  })
  .refine((a) => a.users.length + a.usergroups.length > 0, {
    error: "names nobody: list at least one user or user group",
  });

const approvalsSchema = z
  .record(
    z.string(),
    z.number({ error: "must be a whole number of approvals" }).int().min(1, { error: "must be at least 1" }).max(10),
  )
  // Keys are role names or ids, matched case-insensitively like the roles people type.
  .transform((counts) => Object.fromEntries(Object.entries(counts).map(([role, n]) => [role.toLowerCase(), n])));

/** Keys are role names or ids (or "default"), matched in any case like the roles people type. */
const byRole = <T extends z.ZodType>(value: T) =>
  z
    .record(z.string(), value)
    .transform((entries) => Object.fromEntries(Object.entries(entries).map(([role, v]) => [role.toLowerCase(), v])));

const channelId = z
  .string({ error: "must be the id of the channel where approval cards are posted, such as C0123456789" })
  .regex(/^[CG][A-Z0-9]{6,}$/, { error: "must be a channel id such as C0123456789 (not a #name)" });

/** How often the inventory reads a target's members: a duration, or off. */
const syncEvery = z.string({ error: "must be a duration such as 6h, or off" }).transform((text, ctx): number | null => {
  if (text.trim().toLowerCase() === "off") return null;
  const ms = parseDuration(text);
  if (ms === null || ms <= 0) {
    ctx.addIssue({
      code: "custom",
      message: `"${text}" is not a duration; write it like 6h (units: s, m, h, d), or off`,
    });
    return z.NEVER;
  }
  return ms;
});

const targetInventorySchema = z.strictObject({ every: syncEvery.optional() });

/** Which changes outside rolegate raise an alert: "all", or the roles (names or ids) changes into which do. */
const ALERT_ON_WORDS = 'must be "all" or a list of roles such as [owner, admin]';
const alertOnSchema = z
  .custom<"all" | string[]>(
    (value) =>
      value === "all" ||
      (Array.isArray(value) && value.length > 0 && value.every((r) => typeof r === "string" && r.trim() !== "")),
    { error: ALERT_ON_WORDS },
  )
  .transform((value) => (value === "all" ? "all" : value.map((r) => r.toLowerCase())));

const targetSchema = z.strictObject({
  vendor: z.enum(VENDORS, { error: `must be one of ${VENDORS.join(", ")}` }),
  organization: z.string({ error: "must be the vendor's organization slug or id" }).min(1),
  baseUrl: z
    .url({ protocol: /^https?$/, error: "must be an http(s) origin such as https://de.sentry.io" })
    .transform((url) => url.replace(/\/+$/, ""))
    .optional(),
  tokenEnv: z
    .string({ error: "must name the environment variable that holds this target's credential" })
    .regex(/^[A-Z_][A-Z0-9_]*$/, {
      error:
        "must be an environment variable name such as SENTRY_TOKEN (the credential itself never goes in this file)",
    }),
  approvals: approvalsSchema.default({ default: 1 }),
  approvers: approversSchema.optional(),
  /** Who may ask for changes here; absent: anyone. */
  requesters: approversSchema.optional(),
  /** Where this target's cards go, instead of the global approvalChannel. */
  approvalChannel: channelId.optional(),
  /** The longest a time-bound grant may last, by requested role: { default: 30d, owner: 8h }. */
  maxDuration: byRole(duration("8h")).optional(),
  /** Who else may decide once a request has waited escalateAfter undecided. */
  escalateTo: approversSchema.optional(),
  escalateAfter: duration("4h").optional(),
  /** Permanent changes refused: true for every role, or by role: { owner: true }. */
  requireDuration: z.union([z.boolean(), byRole(z.boolean({ error: "must be true or false" }))]).optional(),
  /** This target's inventory schedule, instead of the global one. */
  inventory: targetInventorySchema.optional(),
  /** Which changes made outside rolegate alert; absent: changes into roles needing more approvals than default. */
  alertOn: alertOnSchema.optional(),
});

const DEFAULT_SYNC_EVERY = 6 * 3_600_000;
const inventorySchema = z.strictObject({ every: syncEvery.default(DEFAULT_SYNC_EVERY) });

const executorSchema = z.strictObject({
  maxAttempts: z.number().int().min(1).max(50).default(5),
  firstRetryDelay: duration("30s").default(30_000),
  maxRetryDelay: duration("15m").default(900_000),
  lease: duration("15s").default(15_000),
});

/**
 * How much one person may ask for: each request costs vendor reads on the credential the executor
 * needs, a public card, and reminders to every approver. Approvers are held to it too.
 */
const limitsSchema = z.strictObject({
  /** Requests of one person waiting for approval or to be applied, at once. */
  openPerRequester: z.number().int().min(1).max(1_000_000).default(20),
  /** Requests one person may file in any hour. */
  filedPerHour: z.number().int().min(1).max(1_000_000).default(30),
});

const TARGET_NAME = /^[a-z0-9][a-z0-9._-]{0,39}$/;

const fileSchema = z.strictObject({
  approvalChannel: channelId,
  approvers: approversSchema,
  pendingTtl: duration("24h").default(86_400_000),
  /** An undecided request is re-posted in its card's thread after this, then at doubling intervals. */
  remindAfter: duration("1h").optional(),
  /** Approvals go stale: a failed request may be retried only this long after its last approval. */
  retryWindow: duration("24h").default(86_400_000),
  executor: executorSchema.default({ maxAttempts: 5, firstRetryDelay: 30_000, maxRetryDelay: 900_000, lease: 15_000 }),
  limits: limitsSchema.default({ openPerRequester: 20, filedPerHour: 30 }),
  /** How often every target's members are read (6h unless said; off: never). */
  inventory: inventorySchema.default({ every: DEFAULT_SYNC_EVERY }),
  targets: z
    .record(
      z.string().regex(TARGET_NAME, {
        error: "target names are what people type: lowercase letters, digits, . _ -, at most 40",
      }),
      targetSchema,
    )
    .refine((targets) => Object.keys(targets).length > 0, { error: "lists no target: add at least one" }),
});

type FileConfig = z.output<typeof fileSchema>;
type TargetConfig = FileConfig["targets"][string];
export type ApproversConfig = FileConfig["approvers"];
export type ExecutorConfig = FileConfig["executor"];

export type Target = TargetConfig & { name: string };

export interface RolegateConfig extends Omit<FileConfig, "targets"> {
  targets: ReadonlyMap<string, Target>;
}

/** How often a target's members are read, in ms; null when its inventory is off. */
export function syncIntervalOf(config: Pick<RolegateConfig, "inventory">, target: Target): number | null {
  return target.inventory?.every !== undefined ? target.inventory.every : config.inventory.every;
}

/** Where a target's approval cards go: its own approvalChannel, else the global one. */
export function approvalChannelFor(
  config: Pick<RolegateConfig, "approvalChannel" | "targets">,
  target: string,
): string {
  return config.targets.get(target)?.approvalChannel ?? config.approvalChannel;
}

/** Reads and validates the config file; a ConfigError lists every problem with its key path. */
export async function loadConfigFile(path: string, env: NodeJS.ProcessEnv = process.env): Promise<RolegateConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const why =
      (error as NodeJS.ErrnoException).code === "ENOENT"
        ? "does not exist"
        : `cannot be read (${(error as Error).message})`;
    throw new ConfigError(
      `rolegate cannot start: the config file ${path} ${why}. Copy rolegate.example.yml to rolegate.yml, or set ROLEGATE_CONFIG. ${README_POINTER}`,
      [`${path} ${why}`],
    );
  }
  return parseConfig(text, path, env);
}

/** Validates config text; `source` names the file in messages. */
export function parseConfig(text: string, source: string, env: NodeJS.ProcessEnv = process.env): RolegateConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e) => `line ${lines.linePos(e.pos[0]).line}: ${e.message.split("\n")[0]}`);
    throw fail(source, problems);
  }

  const parsed = fileSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const path = issue.path.map(String);
      const at = lineOf(doc, lines, issue.path);
      const where = path.length > 0 ? path.join(".") : "(top level)";
      const missing = issue.code === "invalid_type" && path.length > 0 && !doc.hasIn(issue.path as unknown[]);
      return `${where}${at ? ` (line ${at})` : ""}: ${missing ? "is missing; " : ""}${describe(issue)}`;
    });
    throw fail(source, problems);
  }

  const { targets, ...rest } = parsed.data;
  const problems = Object.entries(targets)
    .filter(([, target]) => !env[target.tokenEnv])
    .map(([name, target]) => `targets.${name}.tokenEnv: the environment variable ${target.tokenEnv} is not set`);
  if (problems.length > 0) throw fail(source, problems);

  return { ...rest, targets: new Map(Object.entries(targets).map(([name, t]) => [name, { ...t, name }])) };
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") {
    const credential = issue.keys.find((key) => /token|secret|key|password/i.test(key));
    if (credential) {
      return `unknown key "${credential}": credentials never live in this file; put it in an environment variable and name that variable in tokenEnv`;
    }
    return `unknown key${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`;
  }
  // A record key's own message is nested one level down.
  if (issue.code === "invalid_key") return issue.issues[0]?.message ?? issue.message;
  return issue.message;
}

function lineOf(doc: ReturnType<typeof parseDocument>, lines: LineCounter, path: PropertyKey[]): number | undefined {
  // Walk up until a node exists: a missing key is reported at its parent.
  for (let depth = path.length; depth >= 1; depth--) {
    const node = doc.getIn(path.slice(0, depth) as unknown[], true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

function fail(source: string, problems: string[]): ConfigError {
  return new ConfigError(
    `rolegate cannot start: ${source} is not valid.\n${problems.map((p) => `  - ${p}`).join("\n")}\n${README_POINTER}`,
    problems,
  );
}
