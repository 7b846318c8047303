// What /readyz answers: whether this process can do its work now — the database answers, its
// schema has every migration this build ships (another replica may have started a newer one
// meanwhile, or an older one may be running against a newer schema), and Slack has not refused
// the bot token. /healthz says only that the process is alive; a load balancer or Kubernetes
// routes by /readyz and restarts by /healthz, so a database outage takes replicas out of
// rotation without killing them.
//
// Slack's Web API not answering does not make a replica unready: Slack's own requests still
// reach it, and a replica taken out of rotation could not even say "try again" to them. Slack's
// state is in the body (and in /metrics), as last seen by slack-connection.ts: a probe never
// waits on Slack.
import type { PrismaClient } from "./db/generated/client.js";
import { readMigrationFiles } from "./db/migration-files.js";
import type { SlackState } from "./slack/slack-connection.js";

export interface ReadinessDeps {
  prisma: () => PrismaClient | undefined;
  /** Slack's Web API as last seen (slack-connection.ts). */
  slack: () => SlackState;
  /** Scrubs a failing check's words of every secret: /readyz answers anyone who can reach it. */
  scrub?: (text: string) => string;
}

export interface ReadinessReport {
  ready: boolean;
  checks: { database: string; migrations: string; slack: string };
}

export class Readiness {
  private readonly expected: Promise<string[]>;

  constructor(private readonly deps: ReadinessDeps) {
    this.expected = readMigrationFiles().then((files) => files.map((f) => f.name));
  }

  async report(): Promise<ReadinessReport> {
    const database = await this.database();
    const slack = this.deps.slack();
    const scrub = this.deps.scrub ?? ((text: string) => text);
    const checks = { database: scrub(database.verdict), migrations: database.migrations, slack: scrub(slack.verdict) };
    return { ready: checks.database === "ok" && checks.migrations === "ok" && !slack.tokenRefused, checks };
  }

  private async database(): Promise<{ verdict: string; migrations: string }> {
    const prisma = this.deps.prisma();
    if (!prisma) return { verdict: "not open yet", migrations: "unknown" };
    try {
      const rows = await prisma.$queryRaw<{ migration_name: string }[]>`
        SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
      const applied = new Set(rows.map((r) => r.migration_name));
      const missing = (await this.expected).filter((name) => !applied.has(name));
      return { verdict: "ok", migrations: missing.length === 0 ? "ok" : `${missing.length} not applied (${missing.join(", ")})` };
    } catch (error) {
      return { verdict: `not answering: ${(error as Error).message.split("\n")[0]}`, migrations: "unknown" };
    }
  }
}
