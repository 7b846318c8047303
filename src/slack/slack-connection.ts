// What rolegate knows of Slack's Web API: which installation the bot token belongs to (the
// workspace guard serves only that one), and whether the Web API answers now (/readyz's body
// and /metrics report it). Learned at start by auth.test; a token Slack refuses stops the start,
// a Slack that does not answer does not: rolegate starts anyway, asks again with a growing
// pause until it knows, then every minute. Slack's requests still reach rolegate during a Web
// API outage, and each one is answered in words, never left to time out.
import type { webApi } from "@slack/bolt";
import { doublingDelay } from "../backoff.js";
import type { Logger } from "../logger.js";

export interface Installation {
  teamId: string | undefined;
  enterpriseId: string | undefined;
  enterpriseInstall: boolean;
  appId: string | undefined;
  /** This app's bot: the author of every message rolegate posts. */
  botId: string | undefined;
}

export interface SlackState {
  /** Slack's last auth.test answered ok. */
  up: boolean;
  /** "ok", or what went wrong, for /readyz. */
  verdict: string;
  /** Slack answered, and refused the token: nothing rolegate does in Slack can work. */
  tokenRefused: boolean;
}

/** auth.test's answers that say the token itself is refused, not that Slack is unwell. */
const TOKEN_REFUSALS = new Set([
  "invalid_auth",
  "not_authed",
  "account_inactive",
  "token_revoked",
  "token_expired",
  "not_allowed_token_type",
  "no_permission",
  "missing_scope",
]);

export interface SlackConnectionDeps {
  client: Pick<webApi.WebClient, "auth">;
  logger: Logger;
  /** How often a known Slack is asked again (60 s). */
  checkEveryMs?: number;
  /** The first pause before asking again while the installation is unknown (1 s); it doubles to 30 s. */
  firstRetryMs?: number;
}

export class SlackConnection {
  private known: Installation | undefined;
  private current: SlackState = { up: false, verdict: "not asked yet", tokenRefused: false };
  private asking: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** auth.test's tries in a row that left the installation unknown. */
  private unknownTries = 0;
  private stopped = false;

  constructor(private readonly deps: SlackConnectionDeps) {}

  /** The installation the bot token belongs to; undefined until Slack has said. */
  installation(): Installation | undefined {
    return this.known;
  }

  state(): SlackState {
    return this.current;
  }

  /**
   * Asks Slack once. Throws when Slack refuses the token (the process cannot work: stop and say
   * so); otherwise resolves whatever Slack's state, and keeps asking in the background.
   */
  async start(): Promise<void> {
    await this.check();
    if (this.current.tokenRefused)
      throw new Error(`Slack refused the bot token: ${this.current.verdict.replace(/^token refused: /, "")}`);
    if (!this.known)
      this.deps.logger.warn("Slack's Web API does not answer; rolegate starts anyway and asks again", {
        slack: this.current.verdict,
      });
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** One auth.test, shared by whoever asks while it runs. */
  check(): Promise<void> {
    this.asking ??= this.ask().finally(() => (this.asking = undefined));
    return this.asking;
  }

  private async ask(): Promise<void> {
    try {
      const auth = await this.deps.client.auth.test();
      if (!this.known)
        this.deps.logger.info("Slack answered: serving its workspace", {
          team: auth.team_id,
          enterprise: auth.enterprise_id,
        });
      this.known = {
        teamId: auth.team_id,
        enterpriseId: auth.enterprise_id,
        enterpriseInstall: auth.is_enterprise_install === true,
        appId: auth.app_id,
        botId: auth.bot_id,
      };
      this.current = { up: true, verdict: "ok", tokenRefused: false };
    } catch (error) {
      const code = (error as { data?: { error?: unknown } }).data?.error;
      const refused = typeof code === "string" && TOKEN_REFUSALS.has(code.split(" ")[0]!);
      const why = typeof code === "string" ? code : error instanceof Error ? error.message : String(error);
      this.current = {
        up: false,
        verdict: refused ? `token refused: ${why}` : `Slack's Web API is not answering: ${why}`,
        tokenRefused: refused,
      };
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    const wait = this.known
      ? (this.deps.checkEveryMs ?? 60_000)
      : doublingDelay(++this.unknownTries, this.deps.firstRetryMs ?? 1_000, 30_000);
    this.timer = setTimeout(() => void this.check().finally(() => this.schedule()), wait);
    this.timer.unref();
  }
}
