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
import type { Database } from "./db/database.js";
import type { ReadinessReport } from "./slack/bolt-app.js";
import type { SlackState } from "./slack/slack-connection.js";

export interface ReadinessDeps {
  /** The database, once open. */
  database: () => Pick<Database, "missingMigrations"> | undefined;
  /** Slack's Web API as last seen (slack-connection.ts). */
  slack: () => SlackState;
  /** Scrubs a failing check's words of every secret: /readyz answers anyone who can reach it. */
  scrub?: (text: string) => string;
}

export class Readiness {
  constructor(private readonly deps: ReadinessDeps) {}

  async report(): Promise<ReadinessReport> {
    const database = await this.database();
    const slack = this.deps.slack();
    const scrub = this.deps.scrub ?? ((text: string) => text);
    const checks = { database: scrub(database.verdict), migrations: database.migrations, slack: scrub(slack.verdict) };
    return { ready: checks.database === "ok" && checks.migrations === "ok" && !slack.tokenRefused, checks };
  }

  private async database(): Promise<{ verdict: string; migrations: string }> {
    const database = this.deps.database();
    if (!database) return { verdict: "not open yet", migrations: "unknown" };
    try {
      const missing = await database.missingMigrations();
      return {
        verdict: "ok",
        migrations: missing.length === 0 ? "ok" : `${missing.length} not applied (${missing.join(", ")})`,
      };
    } catch (error) {
      return { verdict: `not answering: ${(error as Error).message.split("\n")[0]}`, migrations: "unknown" };
    }
  }
}
