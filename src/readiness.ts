// What /readyz answers: whether this process can do its work now — the database answers, its
// schema has every migration this build ships (another replica may have started a newer one
// meanwhile, or an older one may be running against a newer schema), and Slack accepts the bot
// token. /healthz says only that the process is alive; a load balancer or Kubernetes routes by
// /readyz and restarts by /healthz, so a database outage takes replicas out of rotation without
// killing them.
import type { PrismaClient } from "./db/generated/client.js";
import { readMigrationFiles } from "./db/migration-files.js";

export interface ReadinessDeps {
  prisma: () => PrismaClient | undefined;
  /** Slack's auth.test: resolves when the token is accepted, rejects with Slack's reason. */
  authTest: () => Promise<unknown>;
  /** Scrubs a failing check's words of every secret: /readyz answers anyone who can reach it. */
  scrub?: (text: string) => string;
  now?: () => number;
  /** How long a Slack answer is trusted, so probes every few seconds do not hammer auth.test. */
  slackCacheMs?: number;
}

export interface ReadinessReport {
  ready: boolean;
  checks: { database: string; migrations: string; slack: string };
}

export class Readiness {
  private slack: { at: number; verdict: string } | undefined;
  private readonly expected: Promise<string[]>;

  constructor(private readonly deps: ReadinessDeps) {
    this.expected = readMigrationFiles().then((files) => files.map((f) => f.name));
  }

  async report(): Promise<ReadinessReport> {
    const [database, slack] = await Promise.all([this.database(), this.slackVerdict()]);
    const scrub = this.deps.scrub ?? ((text: string) => text);
    const checks = { database: scrub(database.verdict), migrations: database.migrations, slack: scrub(slack) };
    return { ready: Object.values(checks).every((v) => v === "ok"), checks };
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

  private async slackVerdict(): Promise<string> {
    const now = (this.deps.now ?? Date.now)();
    if (this.slack && now - this.slack.at < (this.deps.slackCacheMs ?? 60_000)) return this.slack.verdict;
    const verdict = await this.deps.authTest().then(
      () => "ok",
      (error: unknown) => `token refused or Slack unreachable: ${(error as { data?: { error?: string } })?.data?.error ?? (error as Error).message}`,
    );
    this.slack = { at: now, verdict };
    return verdict;
  }
}
