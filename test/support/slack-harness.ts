// rolegate's real Bolt app on a loopback port, started exactly as main.ts starts it (start.ts), with a real
// database, the fake Slack Web API, and vendor test doubles. Tests talk to it the way Slack
// does: signed HTTP requests to /slack/events.
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { parseConfig, type RolegateConfig, type Target } from "../../src/config/file.js";
import { startRolegate, type RunningRolegate } from "../../src/start.js";
import type { ConnectorContext } from "../../src/vendors/registry.js";
import { ManualClock } from "./clock.js";
import { createLogger } from "../../src/logger.js";
import { openTestDatabase, resetData, type TestDatabase } from "./database.js";
import { FakeConnector } from "./fake-connector.js";
import { DOLFIN_KEY, FakeDolfin } from "./fake-vendors/dolfin.js";
import { createDolfin } from "../../src/vendors/dolfin.js";
import { FakeSlackApi, type StoredMessage } from "./fake-slack-api.js";
import { signedHeaders } from "./slack-signature.js";
import { APPROVER, GROUP_APPROVER, OUTSIDER, REQUESTER, SECOND_APPROVER } from "./world.js";
import { freePort, waitFor } from "./wait.js";

export { waitFor } from "./wait.js";

export const BOT_TOKEN = "xoxb-test-harness-0001";
const SIGNING_SECRET = "harness-signing-secret-0001";
export const APPROVAL_CHANNEL = "C0APPROVALS";
// The same people as the domain tests, so a scenario reads alike at every layer.
export { APPROVER, GROUP_APPROVER, OUTSIDER, REQUESTER, SECOND_APPROVER } from "./world.js";

const CONFIG = `
approvalChannel: ${APPROVAL_CHANNEL}
approvers:
  users: [${APPROVER}, ${SECOND_APPROVER}, ${REQUESTER}]
  usergroups: [S0ADMINS1]
pendingTtl: 24h
executor: { maxAttempts: 3, firstRetryDelay: 10s, maxRetryDelay: 1m, lease: 30s }
targets:
  dolfin-acme: { vendor: dolfin, organization: org-acme, tokenEnv: DOLFIN_TOKEN, approvals: { default: 1, owner: 2 } }
  sentry-acme: { vendor: sentry, organization: acme, tokenEnv: SENTRY_TOKEN }
  devin-a: { vendor: devin, organization: org-a, tokenEnv: DEVIN_TOKEN }
  devin-b: { vendor: devin, organization: org-b, tokenEnv: DEVIN_TOKEN }
`;
const TOKENS = {
  DOLFIN_TOKEN: "dolfin-secret-value-1",
  SENTRY_TOKEN: "sntrys_secret_value_1",
  DEVIN_TOKEN: "apk_user_example_secret1",
  DOLFIN_HTTP_KEY: DOLFIN_KEY,
};

export interface HarnessOptions {
  /**
   * Adds the target `dolfin-http`: a fake Dolfin on a loopback HTTP server (seed 003's calls
   * and errors) reached through rolegate's real Dolfin connector, for the end-to-end paths.
   */
  httpDolfin?: boolean;
  /**
   * rolegate's pace per Slack channel (production: 1 s). 0 by default: a test's requester gets
   * several DMs within a second, and pacing them would only slow the suite.
   */
  slackPostIntervalMs?: number;
  /** How long notices wait at most for a decision's vendor call (production: 200 ms). */
  noticesWaitMs?: number;
  /** ROLEGATE_AUDIT_TOKEN: serves GET /audit/events to this bearer token. */
  auditToken?: string;
}

export interface HttpReply {
  status: number;
  body: string;
  json: () => Record<string, unknown>;
}

export class SlackHarness {
  slack!: FakeSlackApi;
  rolegate!: RunningRolegate;
  database!: TestDatabase;
  config!: RolegateConfig;
  clock = new ManualClock();
  vendors = new Map<string, FakeConnector>();
  /** With `httpDolfin`: the fake Dolfin server behind the `dolfin-http` target. */
  httpDolfin: FakeDolfin | undefined;
  /**
   * rolegate's warnings and errors, one JSON line each: what it decided not to do leaves a line
   * here, so a test can wait for that decision instead of sleeping.
   */
  readonly logs: string[] = [];
  private readonly logger = createLogger({ level: "warn", write: (line) => this.logs.push(line) });
  private port = 0;
  private triggers = 0;

  /** Lines appended under `targets:` in the harness's rolegate.yml, and top-level lines before it. */
  constructor(
    private readonly extraTargets = "",
    private readonly extraTop = "",
    private readonly options: HarnessOptions = {},
  ) {}

  get dolfin(): FakeConnector {
    return this.vendors.get("dolfin-acme")!;
  }

  async start(database: TestDatabase): Promise<void> {
    this.database = database;
    let httpTarget = "";
    if (this.options.httpDolfin) {
      this.httpDolfin = new FakeDolfin("org-http");
      this.httpDolfin.addUser("u-ada", "ada@example.com", "Member");
      this.httpDolfin.addUser("u-own", "owner@example.com", "Owner");
      await this.httpDolfin.start();
      httpTarget = `  dolfin-http: { vendor: dolfin, organization: org-http, baseUrl: "${this.httpDolfin.origin}", tokenEnv: DOLFIN_HTTP_KEY }\n`;
    }
    this.config = parseConfig(
      CONFIG.replace("targets:\n", `${this.extraTop}targets:\n`) + this.extraTargets + httpTarget,
      "harness",
      TOKENS,
    );
    this.clock = new ManualClock(new Date().toISOString());
    this.slack = new FakeSlackApi(BOT_TOKEN);
    await this.slack.start();
    this.slack.users.set(REQUESTER, "requester@example.com");
    this.slack.users.set(APPROVER, "approver@example.com");
    this.slack.users.set(SECOND_APPROVER, "second@example.com");
    this.slack.users.set(GROUP_APPROVER, "groupie@example.com");
    this.slack.users.set(OUTSIDER, "outsider@example.com");
    this.slack.users.set("U0ADAADA1", "ada@example.com");
    this.slack.users.set("U0NOEMAIL", null);
    this.slack.usergroups.set("S0ADMINS1", [GROUP_APPROVER]);

    this.vendors = new Map();
    const byOrg = (org: string) => [...this.vendors.values()].find((v) => v.target.organization === org);
    for (const target of this.config.targets.values())
      if (!target.baseUrl) this.vendors.set(target.name, new FakeConnector(target, byOrg));
    this.dolfin.addMember("usr_1", "ada@example.com", "member");
    this.dolfin.addMember("usr_2", "bob@example.com", "member");
    await this.startRolegate();
  }

  /** A fresh Bolt app and rolegate on the same database, Slack, vendors and clock: a restart. */
  private async startRolegate(): Promise<void> {
    // Only dolfin-http has no in-process double: it is reached through the real connector.
    const factory = (target: Target, context: ConnectorContext) =>
      this.vendors.get(target.name) ?? createDolfin(target, context);
    this.port = await freePort();
    this.rolegate = await startRolegate({
      env: {
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: this.slack.url,
        PORT: this.port,
        LOG_LEVEL: "error",
        SLACK_APP_TOKEN: undefined,
        SLACK_CHANNEL_PACE_MS: this.options.slackPostIntervalMs ?? 0,
        ROLEGATE_AUDIT_TOKEN: this.options.auditToken,
      },
      config: this.config,
      secrets: [BOT_TOKEN, SIGNING_SECRET, ...Object.values(TOKENS)], // as main.ts gathers them
      openDatabase: async () => this.database,
      connectorFactories: { dolfin: factory, sentry: factory, devin: factory },
      vendorEnv: TOKENS,
      clock: this.clock.now,
      logger: this.logger,
      tuning: {
        pollMs: 20,
        noticeRetryMs: 50,
        formBudgetMs: 1_000,
        slackRetries: 0, // a test wants Slack's first answer, not a backed-off retry
        slackCheckEveryMs: 100, // production: a minute, so a test sees a change at once
        slackFirstRetryMs: 50,
        ...(this.options.noticesWaitMs ? { noticesWaitMs: this.options.noticesWaitMs } : {}),
      },
    });
  }

  /** Stops rolegate (not Slack, the vendors or the database) and starts it again, as a new process would. */
  async restart(beforeStart: () => void = () => {}): Promise<void> {
    await this.stopRolegate();
    beforeStart();
    await this.startRolegate();
  }

  private async stopRolegate(): Promise<void> {
    await this.rolegate?.stop();
  }

  async stop(): Promise<void> {
    await this.stopRolegate();
    await this.slack?.stop();
    await this.httpDolfin?.stop();
    this.httpDolfin = undefined;
  }

  /** Where rolegate's HTTP server listens. */
  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** POSTs a body to /slack/events, signed as Slack signs it (or as told). */
  async post(
    body: string,
    contentType: string,
    signature?: { secret?: string; timestamp?: number },
  ): Promise<HttpReply> {
    const timestamp = String(signature?.timestamp ?? Math.floor(Date.now() / 1000));
    const response = await fetch(`http://127.0.0.1:${this.port}/slack/events`, {
      method: "POST",
      headers: signedHeaders(signature?.secret ?? SIGNING_SECRET, body, timestamp, contentType),
      body,
    });
    const text = await response.text();
    return { status: response.status, body: text, json: () => (text ? JSON.parse(text) : {}) };
  }

  /** Types `/role <text>` as `user` in `channel`; the reply is the command's immediate answer. */
  command(user: string, text: string, channel = "C0GENERAL", team = "T0ACME"): Promise<HttpReply> {
    const body = new URLSearchParams({
      token: "legacy-verification-token",
      team_id: team,
      channel_id: channel,
      user_id: user,
      command: "/role",
      text,
      response_url: this.slack.responseUrl(),
      trigger_id: `trigger.${this.triggers++}`,
      api_app_id: "A0ROLEGATE",
    }).toString();
    return this.post(body, "application/x-www-form-urlencoded");
  }

  /** Clicks a button on the card of `requestId` as `user` (from another workspace: `team`). */
  click(user: string, actionId: string, requestId: string, team = "T0ACME"): Promise<HttpReply> {
    return this.clickOnMessage(user, this.cardMessage(requestId), actionId, requestId, team);
  }

  /**
   * Clicks, as `user`, the button on the card of `cardOf` whose value is `value` (and whose action
   * id is of `kind`, when given), with the action id the card gave it.
   */
  clickOnCard(user: string, cardOf: string, value: string, kind?: string): Promise<HttpReply> {
    const card = this.cardMessage(cardOf);
    const button = buttonsOf(card).find((e) => e.value === value && (!kind || e.action_id?.startsWith(`${kind}/`)));
    if (!card || !button?.action_id) throw new Error(`the card of ${cardOf} has no button for ${value}`);
    return this.clickOnMessage(user, card, button.action_id, value);
  }

  /** Clicks a button of the newest DM to `user` carrying `actionId`, as `user`. */
  clickInDm(user: string, actionId: string): Promise<HttpReply> {
    const dm = this.slack
      .messagesIn(`D${user.slice(1)}`)
      .reverse()
      .find((m) => JSON.stringify(m.blocks).includes(actionId));
    if (!dm) throw new Error(`no DM to ${user} has a ${actionId} button`);
    return this.clickOnMessage(user, dm, actionId, buttonsOf(dm).find((e) => e.action_id === actionId)?.value ?? "");
  }

  /** A click on a button of `message` (a card or a DM), as Slack sends it. */
  clickOnMessage(
    user: string,
    message: StoredMessage | undefined,
    actionId: string,
    value: string,
    team = "T0ACME",
  ): Promise<HttpReply> {
    return this.interaction({
      type: "block_actions",
      ...this.envelope(user, team),
      channel: { id: message?.channel ?? APPROVAL_CHANNEL },
      container: { type: "message", channel_id: message?.channel, message_ts: message?.ts },
      message: message ? { ts: message.ts, text: message.text, blocks: message.blocks } : undefined,
      response_url: this.slack.responseUrl(),
      actions: [{ type: "button", action_id: actionId, block_id: "b", value, action_ts: "1" }],
    });
  }

  /** Opens the App Home tab as `user` and waits for it to be drawn; returns its text. */
  async openHome(user: string): Promise<string> {
    const before = this.slack.callsTo("views.publish").length;
    await this.event({ type: "app_home_opened", user, tab: "home", channel: `D${user.slice(1)}` });
    await waitFor(
      () =>
        this.slack
          .callsTo("views.publish")
          .slice(before)
          .some((c) => c.params.user_id === user),
      `${user}'s home tab`,
    );
    return this.homeText(user);
  }

  /** Everything the App Home tab of `user` shows now. */
  homeText(user: string): string {
    return JSON.stringify(this.slack.published.get(user) ?? {});
  }

  /** Clicks the button `actionId` for request `value` in the App Home tab of `user`, as Slack sends it: no channel. */
  clickInHome(user: string, actionId: string, value: string): Promise<HttpReply> {
    const home = this.slack.published.get(user) as
      | {
          blocks?: {
            accessory?: { action_id?: string; value?: string };
            elements?: { action_id?: string; value?: string }[];
          }[];
        }
      | undefined;
    const buttons = (home?.blocks ?? []).flatMap((b) => [...(b.elements ?? []), ...(b.accessory ? [b.accessory] : [])]);
    if (!buttons.some((e) => e.action_id === actionId && e.value === value))
      throw new Error(`${user}'s home tab has no ${actionId} button for ${value}`);
    return this.interaction({
      type: "block_actions",
      ...this.envelope(user),
      container: { type: "view", view_id: `V0HOME${user.slice(1)}` },
      view: { id: `V0HOME${user.slice(1)}`, type: "home", blocks: home?.blocks ?? [] },
      actions: [{ type: "button", action_id: actionId, block_id: "b", value, action_ts: "1" }],
    });
  }

  /** Clicks `actionId` on the newest private reply that carries it, as Slack sends a click on an ephemeral message. */
  clickInReply(user: string, actionId: string, value?: string): Promise<HttpReply> {
    const reply = this.slack.responses
      .slice()
      .reverse()
      .find((r) => JSON.stringify(r.body.blocks ?? []).includes(actionId));
    const buttons = ((reply?.body.blocks ?? []) as { elements?: { action_id?: string; value?: string }[] }[]).flatMap(
      (b) => b.elements ?? [],
    );
    const button = buttons.find((e) => e.action_id === actionId);
    if (!button) throw new Error(`no reply to ${user} has a ${actionId} button`);
    return this.interaction({
      type: "block_actions",
      ...this.envelope(user),
      container: { type: "message", is_ephemeral: true },
      response_url: this.slack.responseUrl(),
      actions: [{ type: "button", action_id: actionId, block_id: "b", value: value ?? button.value, action_ts: "1" }],
    });
  }

  /** Picks an option in a select inside an open view. */
  selectInView(user: string, viewId: string, actionId: string, value: string): Promise<HttpReply> {
    const stored = this.slack.views.get(viewId)!;
    return this.interaction({
      type: "block_actions",
      ...this.envelope(user),
      container: { type: "view", view_id: viewId },
      view: { ...stored.view, id: viewId, hash: stored.hash, state: { values: {} } },
      actions: [
        {
          type: "static_select",
          action_id: actionId,
          block_id: "target",
          selected_option: { value, text: { type: "plain_text", text: value } },
          action_ts: "1",
        },
      ],
    });
  }

  /** Submits an open view with the given input values (block_id → action_id → value). */
  submitView(user: string, viewId: string, values: Record<string, Record<string, unknown>>): Promise<HttpReply> {
    const stored = this.slack.views.get(viewId)!;
    return this.interaction({
      type: "view_submission",
      ...this.envelope(user),
      view: { ...stored.view, id: viewId, hash: stored.hash, state: { values } },
    });
  }

  event(event: Record<string, unknown>): Promise<HttpReply> {
    return this.post(
      JSON.stringify({
        token: "t",
        team_id: "T0ACME",
        api_app_id: "A0ROLEGATE",
        type: "event_callback",
        event_id: `Ev${this.triggers++}`,
        event_time: 1,
        event,
      }),
      "application/json",
    );
  }

  /** Who clicked, in which workspace and app, with a fresh trigger for opening a view. */
  private envelope(user: string, team = "T0ACME") {
    return {
      user: { id: user, team_id: team },
      team: { id: team },
      api_app_id: "A0ROLEGATE",
      trigger_id: `trigger.${this.triggers++}`,
    };
  }

  private interaction(payload: Record<string, unknown>): Promise<HttpReply> {
    return this.post(
      new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
      "application/x-www-form-urlencoded",
    );
  }

  /** Waits until every queued notice (cards, DMs) has been delivered to the fake Slack. */
  async noticesDelivered(): Promise<void> {
    await waitFor(
      async () => (await this.database.prisma.notice.count({ where: { doneAt: null } })) === 0,
      "the notices to be delivered",
    );
  }

  /** The approval card of a request, as it stands in the channel. */
  cardMessage(requestId: string) {
    return this.slack.messagesIn(APPROVAL_CHANNEL).find((m) => m.text.includes(`Role change ${requestId}`));
  }

  cardText(requestId: string): string {
    const card = this.cardMessage(requestId);
    return card ? FakeSlackApi.textOf(card) : "";
  }

  /** DMs to a user, oldest first. */
  dmsTo(user: string): string[] {
    return this.slack.messagesIn(`D${user.slice(1)}`).map((m) => m.text);
  }

  /** Files a request with `/role <text>` as `user`; returns its id once its card is posted. */
  async fileRequest(text: string, user = REQUESTER): Promise<string> {
    const before = this.slack.responses.length;
    await this.command(user, text);
    await waitFor(() => this.slack.responses.length > before, `the reply to /role ${text}`);
    const id = /Request \*([0-9A-Z]{6})\* filed/.exec(this.lastResponse())?.[1];
    if (!id) throw new Error(`not filed: ${this.lastResponse()}`);
    await this.noticesDelivered(); // the card is posted after the commit
    return id;
  }

  /** The last thing posted to the response_url of a command. */
  lastResponse(): string {
    const last = this.slack.responses.at(-1);
    return last
      ? FakeSlackApi.textOf({
          text: typeof last.body.text === "string" ? last.body.text : "",
          blocks: (last.body.blocks as unknown[]) ?? [],
        })
      : "";
  }
}

/** One harness per test file, reset before each test; `extraTargets` adds targets to its config. */
export function useSlackHarness(extraTargets = "", extraTop = "", options: HarnessOptions = {}): SlackHarness {
  const harness = new SlackHarness(extraTargets, extraTop, options);
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });
  beforeEach(async () => {
    await resetData(database);
    await harness.start(database);
  });
  afterEach(async () => {
    await harness.stop();
  });
  return harness;
}

/** The buttons of a message's blocks, with their action ids and values. */
function buttonsOf(message: StoredMessage | undefined): { action_id?: string; value?: string }[] {
  return ((message?.blocks ?? []) as { elements?: { action_id?: string; value?: string }[] }[]).flatMap(
    (b) => b.elements ?? [],
  );
}
