// What `npm run doctor` checks, each read-only: Slack's token, the database, and every target's
// credential. Each check answers with OK and what it saw, or what failed and how to fix it.
import { access } from "node:fs/promises";
import { resolve } from "node:path";
import { webApi } from "@slack/bolt";
import type { Env } from "../config/env.js";
import { syncIntervalOf, type RolegateConfig, type Target } from "../config/file.js";
import { missingMigrations } from "../db/migration-state.js";
import { connectPostgresSession } from "../db/sql-session.js";
import { slackClientOptions } from "../slack/bolt-app.js";
import { unknownRoleKeys } from "../requests/approval-policy.js";
import type { ConnectorRegistry } from "../vendors/connector.js";
import { VendorError } from "../vendors/errors.js";
import { traitsOf } from "../vendors/traits.js";

export interface CheckResult {
  check: string;
  vendor: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

export async function checkSlack(env: Pick<Env, "SLACK_BOT_TOKEN" | "SLACK_API_URL">): Promise<CheckResult> {
  const client = new webApi.WebClient(env.SLACK_BOT_TOKEN, slackClientOptions(env, 0));
  try {
    const auth = await client.auth.test();
    return {
      check: "slack",
      vendor: "-",
      ok: true,
      detail: `bot ${auth.user ?? "?"} in workspace ${auth.team ?? "?"}`,
    };
  } catch (error) {
    const code = (error as { data?: { error?: string } }).data?.error ?? (error as Error).message;
    return {
      check: "slack",
      vendor: "-",
      ok: false,
      detail: `auth.test failed: ${code}`,
      fix: "Copy the Bot User OAuth Token (xoxb-…) from the app's OAuth & Permissions page into SLACK_BOT_TOKEN; reinstall the app if it was revoked.",
    };
  }
}

export async function checkDatabase(env: Pick<Env, "DATABASE_URL" | "ROLEGATE_DATA_DIR">): Promise<CheckResult> {
  if (!env.DATABASE_URL) {
    const dir = resolve(env.ROLEGATE_DATA_DIR);
    const exists = await access(dir).then(
      () => true,
      () => false,
    );
    return exists
      ? {
          check: "database",
          vendor: "-",
          ok: true,
          detail: `embedded PGlite in ${dir} (migrations are applied at start)`,
        }
      : {
          check: "database",
          vendor: "-",
          ok: true,
          detail: `embedded PGlite will be created in ${dir} at first start`,
        };
  }
  let session;
  try {
    session = await connectPostgresSession(env.DATABASE_URL);
  } catch (error) {
    return {
      check: "database",
      vendor: "-",
      ok: false,
      detail: `cannot connect: ${(error as Error).message}`,
      fix: "Check DATABASE_URL (host, port, user, database) and that PostgreSQL accepts connections from here.",
    };
  }
  try {
    const pending = (await missingMigrations((sql) => session.query(sql))).length;
    return {
      check: "database",
      vendor: "-",
      ok: true,
      detail:
        pending === 0
          ? "PostgreSQL answers; migrations up to date"
          : `PostgreSQL answers; ${pending} migration(s) will be applied at start`,
    };
  } finally {
    await session.close();
  }
}

/**
 * How each target's inventory is going, from the database: when it last read the whole member
 * list, and what the last sync could not read or found wrong (in words). Not OK when the last
 * sync was partial, or no complete sync happened within two intervals.
 */
export async function checkInventory(
  env: Pick<Env, "DATABASE_URL">,
  config: Pick<RolegateConfig, "targets" | "inventory">,
): Promise<CheckResult[]> {
  if (!env.DATABASE_URL) return [];
  let session;
  try {
    session = await connectPostgresSession(env.DATABASE_URL);
  } catch {
    return []; // the database check says why
  }
  try {
    const rows = await session.query<{
      target: string;
      last_outcome: string | null;
      last_problem: string | null;
      age: number | null;
      members: string;
    }>(
      `SELECT t.target, t.last_outcome, t.last_problem, extract(epoch FROM now() - t.synced_at)::float8 AS age,
         (SELECT count(*) FROM ledger_members m WHERE m.target = t.target AND m.removed_at IS NULL)::text AS members
       FROM inventory_targets t`,
    );
    return [...config.targets.values()].flatMap((target): CheckResult[] => {
      const every = syncIntervalOf(config, target);
      if (every === null) return [];
      const row = rows.find((r) => r.target === target.name);
      const base = { check: `${target.name} inventory`, vendor: target.vendor };
      if (!row?.last_outcome)
        return [{ ...base, ok: true, detail: "not synced yet: the first sync runs when rolegate starts" }];
      const age = row.age === null ? null : Math.round(row.age / 60);
      const synced = age === null ? "never read whole" : `read whole ${age} min ago, ${row.members} members`;
      const stale = row.age === null || row.age * 1000 > 2 * every;
      const ok = row.last_outcome === "complete" && !stale;
      return [
        {
          ...base,
          ok,
          detail: `${synced}; last sync ${row.last_outcome}${row.last_problem ? `: ${row.last_problem}` : ""}`,
          ...(ok
            ? {}
            : {
                fix: `Run /role sync ${target.name}; if it keeps failing, check the target's credential (the row above) and the vendor's status.`,
              }),
        },
      ];
    });
  } catch {
    return []; // the inventory's tables are not there yet: migrations run at start
  } finally {
    await session.close();
  }
}

export async function checkTarget(target: Target, connectors: ConnectorRegistry): Promise<CheckResult> {
  const row = { check: target.name, vendor: target.vendor };
  try {
    const connector = connectors.forTarget(target.name);
    const saw = await connector.checkAccess({ signal: AbortSignal.timeout(10_000) });
    const roles = await connector.listRoles({ signal: AbortSignal.timeout(10_000) });
    const bad = unknownRoleKeys(target, roles);
    if (bad.length > 0) {
      return {
        ...row,
        ok: false,
        detail: `${bad.map((b) => `${b.map} key "${b.key}"`).join(", ")} ${bad.length === 1 ? "matches" : "match"} none of its roles (${roles.map((r) => r.name).join(", ")}${teamRoleKeys(target)})`,
        fix: `Correct ${[...new Set(bad.map((b) => `targets.${target.name}.${b.map}`))].join(" and ")} in rolegate.yml: a key is a role name or id, or default.`,
      };
    }
    return { ...row, ok: true, detail: saw };
  } catch (error) {
    const detail =
      error instanceof VendorError
        ? `${error.describe()}${error.httpStatus ? ` (HTTP ${error.httpStatus})` : ""}`
        : (error as Error).message;
    return { ...row, ok: false, detail, fix: fixFor(target, error) };
  }
}

function fixFor(target: Target, error: unknown): string {
  const kind = error instanceof VendorError ? error.kind : "unavailable";
  switch (kind) {
    case "forbidden":
      return `Put ${traitsOf(target.vendor).credential} in ${target.tokenEnv}.`;
    case "not_found":
      return `Check organization (${target.organization}) and baseUrl (${target.baseUrl ?? "the vendor's default"}) for ${target.name} in rolegate.yml.`;
    case "rate_limited":
      return "The vendor is rate limiting this credential; run doctor again in a minute.";
    case "unavailable":
      return `Check that ${target.baseUrl ?? `the ${target.vendor} API`} is reachable from this machine.`;
    case "conflict":
    case "invalid":
      return "See the vendor's message above.";
  }
}

/** A plain table, one row per check. */
export function renderTable(results: CheckResult[]): string {
  const rows = [
    ["CHECK", "VENDOR", "RESULT"],
    ...results.map((r) => [
      r.check,
      r.vendor,
      r.ok ? `OK  ${r.detail}` : `FAILED  ${r.detail}${r.fix ? `\n  → ${r.fix}` : ""}`,
    ]),
  ];
  const widths = [0, 1].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows
    .map((row) => {
      const [first, ...rest] = row[2]!.split("\n");
      const line = `${row[0]!.padEnd(widths[0]!)}  ${row[1]!.padEnd(widths[1]!)}  ${first}`;
      return [line, ...rest.map((l) => `${" ".repeat(widths[0]! + widths[1]! + 4)}${l.trim()}`)].join("\n");
    })
    .join("\n");
}

/** How a vendor's team roles are keyed in rolegate.yml, for the doctor's hint; "" for none. */
function teamRoleKeys(target: Target): string {
  const roles = traitsOf(target.vendor).teamRoles;
  return roles.length > 0 ? `; team roles as ${roles.map((r) => `team:${r}`).join(", ")}` : "";
}
