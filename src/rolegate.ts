// Builds rolegate's parts over an initialised Bolt app and an open database, each once and after
// what it depends on (start.ts calls it, for the process and the end-to-end tests alike).
// Dependencies point one way — Slack and the executor use the domain, the domain its store — and
// work flows back only through the callbacks handed in here: "work is due" wakes the executor,
// "notices are waiting" wakes the dispatcher. No part is filled in after another was built.
import { webApi, type App } from "@slack/bolt";
import { ApprovalPolicy } from "./requests/approval-policy.js";
import { RequestRepo } from "./requests/store/request-repo.js";
import { StoredHistory } from "./requests/store/request-history.js";
import { HomeViewers } from "./requests/store/home-viewers.js";
import { AuditLog } from "./audit/audit-log.js";
import { AuditLogTailStore } from "./audit/store/audit-log-tail-store.js";
import { ledgerEventsAfter, requestEventsAfter } from "./audit/store/audit-stream.js";
import { countAccess } from "./inventory/inventory-desk.js";
import { LedgerStore } from "./inventory/store/ledger-store.js";
import { HomeRefresher } from "./slack/home-refresher.js";
import { registerListeners } from "./slack/listeners/index.js";
import { slackClientOptions } from "./slack/bolt-app.js";
import { boltLogger } from "./slack/bolt-logger.js";
import type { Installation } from "./slack/slack-connection.js";
import { SlackAlertPublisher } from "./slack/slack-alert-publisher.js";
import { syncReportText } from "./slack/blocks/who.js";
import { SlackNotifier } from "./slack/slack-notifier.js";
import { SlackPacer } from "./slack/slack-pacer.js";
import { SlackUsers } from "./slack/slack-users.js";
import { SlackUsergroupDirectory } from "./slack/usergroup-directory.js";
import { wireInventory, type Inventory, type InventoryParts } from "./wire-inventory.js";
import { wireRequests, type Requests, type RequestsParts } from "./wire-requests.js";

/** What wire-requests.ts needs, less what this builds (the store, the policy, the notifier), plus Slack. */
export interface RolegateParts extends Omit<RequestsParts, "repo" | "policy" | "slackUsers" | "notifier" | "metrics"> {
  /** Counts decisions, notices Slack did not take and inventory syncs; absent: nothing is counted. */
  metrics?: NonNullable<RequestsParts["metrics"]> & NonNullable<InventoryParts["metrics"]>;
  app: App;
  /** The bot's Web API client (slackClient in bolt-app.ts). */
  slack: webApi.WebClient;
  /** The installation Slack said the bot token belongs to; undefined until it has. */
  installation: () => Installation | undefined;
  /** How long a form waits for the vendor before answering and going on in the background. */
  formBudgetMs?: number;
  /** Least time between two posts in one Slack channel (Slack's pace, 1 s); tests shorten it. */
  slackPostIntervalMs?: number;
}

export interface Rolegate extends Requests {
  repo: RequestRepo;
  inventory: Inventory;
  history: StoredHistory;
  home: HomeRefresher;
  /** Starts the background loops (the Bolt app is started by its owner); the inventory's first syncs are due at once. */
  start(): Promise<void>;
  /** Stops them, the work under way first: an attempt finishes, then the notices it queued go. */
  stop(): Promise<void>;
}

export function wireRolegate(parts: RolegateParts): Rolegate {
  const { app, slack, database, config, connectors, clock, logger, metrics } = parts;
  const repo = new RequestRepo(database.prisma);
  const history = new StoredHistory(database.prisma);
  const policy = new ApprovalPolicy(config, new SlackUsergroupDirectory(slack, clock));
  const slackUsers = new SlackUsers(slack, clock);
  const ledger = new LedgerStore(database.prisma);
  const home = new HomeRefresher({
    client: slack,
    history,
    policy,
    viewers: new HomeViewers(database.prisma),
    config,
    accessCounts: (targets) => countAccess({ store: ledger, policy, config }, targets),
    clock,
    logger: logger.child({ component: "app-home" }),
    ...(parts.pollMs ? { pollMs: parts.pollMs } : {}),
  });
  // Notices have a Slack client of their own: Bolt's client answers a 429 by pausing every call
  // it makes, so a burst of cards would hold up the forms and replies people are waiting on; this
  // one hands the 429 to the pacer, and the outbox retries on its own.
  const noticeClient = new webApi.WebClient(slack.token, {
    ...slackClientOptions({ SLACK_API_URL: slack.slackApiUrl }, 0),
    rejectRateLimitedCalls: true,
    logger: boltLogger(logger),
  });
  const pacer = new SlackPacer(parts.slackPostIntervalMs ?? 1_000);
  const notifier = new SlackNotifier({
    client: noticeClient,
    repo,
    history,
    policy,
    config,
    home,
    pacer,
    ownBotId: () => parts.installation()?.botId,
  });
  const { filing, service, executor, notices, housekeeping } = wireRequests({
    database,
    repo,
    policy,
    slackUsers,
    notifier,
    config,
    connectors,
    clock,
    logger,
    ...(parts.pollMs ? { pollMs: parts.pollMs } : {}),
    ...(parts.noticeRetryMs ? { noticeRetryMs: parts.noticeRetryMs } : {}),
    ...(parts.scrub ? { scrub: parts.scrub } : {}),
    ...(metrics ? { metrics } : {}),
    ...(parts.noticesWaitMs ? { noticesWaitMs: parts.noticesWaitMs } : {}),
  });
  const inventory = wireInventory({
    database,
    store: ledger,
    config,
    connectors,
    policy,
    clock,
    logger,
    filing,
    slackUsers,
    publisher: new SlackAlertPublisher(noticeClient, pacer),
    executorBusy: () => executor.busy,
    // Whoever asked for the sync (/role sync) is told how it went.
    onSynced: (report) => {
      if (!report.requestedBy) return;
      noticeClient.chat
        .postMessage({ channel: report.requestedBy, text: syncReportText(report) })
        .catch((error: unknown) => logger.warn("could not tell who asked how a sync went", { error }));
    },
    ...(parts.pollMs ? { pollMs: parts.pollMs, alertPollMs: parts.pollMs } : {}),
    ...(metrics ? { metrics } : {}),
  });
  registerListeners(app, {
    service,
    filing,
    outside: inventory.decisions,
    inventory: inventory.desk,
    history,
    policy,
    connectors,
    slackUsers,
    home,
    config,
    clock,
    logger,
    installation: parts.installation,
    ...(parts.formBudgetMs ? { formBudgetMs: parts.formBudgetMs } : {}),
  });
  // Every audit event as a log line too (component "audit"), for a log shipper.
  const auditLog = new AuditLog({
    store: new AuditLogTailStore(database.prisma),
    trails: [
      {
        name: "audit_events" as const,
        eventsAfter: (after, limit) => requestEventsAfter(database.prisma, after, limit),
      },
      {
        name: "ledger_changes" as const,
        eventsAfter: (after, limit) => ledgerEventsAfter(database.prisma, after, limit),
      },
    ],
    logger: logger.child({ component: "audit" }),
    owner: executor.owner,
    ...(parts.pollMs ? { pollMs: parts.pollMs } : {}),
  });
  const loops = [executor, housekeeping, notices, home, auditLog];
  return {
    filing,
    service,
    repo,
    history,
    executor,
    notices,
    housekeeping,
    home,
    inventory,
    start: async () => {
      loops.forEach((loop) => loop.start());
      inventory.alerts.start();
      inventory.loop.start();
    },
    stop: async () => {
      await inventory.loop.stop();
      for (const loop of loops) await loop.stop();
      await inventory.alerts.stop();
    },
  };
}
