// Bolt in HTTP mode on PORT at /slack/events with every request's signature verified, or in
// Socket Mode when SLACK_APP_TOKEN is set. SLACK_API_URL replaces Slack's API host (GovSlack,
// or a fake Web API in tests). /healthz (alive) and /readyz (able to work) answer on the same
// port in both modes.
import type { IncomingMessage, ServerResponse } from "node:http";
import { App, LogLevel, webApi } from "@slack/bolt";
import type { Env } from "../config/env.js";
import type { Logger } from "../logger.js";
import { boltLogger } from "./bolt-logger.js";

/** What /readyz answers (readiness.ts makes it): 200 when ready, 503 otherwise, with each check in words. */
export interface ReadinessReport {
  ready: boolean;
  checks: { database: string; migrations: string; slack: string };
}

export interface SlackAppOptions {
  env: Pick<
    Env,
    "SLACK_BOT_TOKEN" | "SLACK_SIGNING_SECRET" | "SLACK_APP_TOKEN" | "SLACK_API_URL" | "PORT" | "LOG_LEVEL"
  >;
  logger: Logger;
  /** What /readyz reports: the database, its migrations, and Slack's view of the token. */
  readiness: () => Promise<ReadinessReport>;
  /** The Prometheus exposition served at /metrics; absent: no such route. */
  metrics?: { contentType: string; exposition: () => Promise<string> };
  /** Retries of a failed Web API call (Slack's client backs off on rate limits); tests use 0. */
  retries?: number;
  /** Further routes on the same port (the audit export). */
  routes?: { path: string; method: string[]; handler: (req: IncomingMessage, res: ServerResponse) => void }[];
}

const EVENTS_PATH = "/slack/events";

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};

export function createSlackApp({ env, logger, readiness, metrics, retries, routes = [] }: SlackAppOptions): App {
  // Alive: this process answers. Nothing else is asked, so a database outage never gets a
  // replica restarted for nothing.
  const healthRoute = {
    path: "/healthz",
    method: ["GET"],
    handler: (_req: IncomingMessage, res: ServerResponse) => json(res, 200, { ok: true }),
  };
  const readyRoute = {
    path: "/readyz",
    method: ["GET"],
    handler: (_req: IncomingMessage, res: ServerResponse) => {
      void readiness().then(
        (report) => json(res, report.ready ? 200 : 503, { ok: report.ready, checks: report.checks }),
        () => json(res, 503, { ok: false }),
      );
    },
  };
  const { SLACK_APP_TOKEN: appToken, SLACK_SIGNING_SECRET: signingSecret } = env;
  const botToken = env.SLACK_BOT_TOKEN;
  return new App({
    // Bolt's own authorization would call auth.test at start (failing the start while Slack is
    // down) and hold every request on it; the token is all a listener needs, and which
    // workspace it belongs to is the workspace guard's business (slack-connection.ts).
    authorize: async () => ({ botToken }),
    // readEnv guarantees one of the two: an app token (Socket Mode) or a signing secret (HTTP).
    ...(appToken
      ? { socketMode: true, appToken, installerOptions: { port: env.PORT } }
      : { ...(signingSecret ? { signingSecret } : {}), endpoints: EVENTS_PATH, port: env.PORT }),
    customRoutes: [healthRoute, readyRoute, ...(metrics ? [metricsRoute(metrics, logger)] : []), ...routes],
    logger: boltLogger(logger),
    logLevel: env.LOG_LEVEL === "debug" ? LogLevel.DEBUG : LogLevel.INFO,
    deferInitialization: true,
    clientOptions: slackClientOptions(env, retries),
  });
}

/** The bot's Web API client for everything outside a listener (notices, lookups, App Home). */
export function slackClient(
  env: Pick<Env, "SLACK_BOT_TOKEN" | "SLACK_API_URL">,
  logger: Logger,
  retries?: number,
): webApi.WebClient {
  return new webApi.WebClient(env.SLACK_BOT_TOKEN, { ...slackClientOptions(env, retries), logger: boltLogger(logger) });
}

/** How long one Web API call may take before it counts as failed. */
const SLACK_CALL_TIMEOUT_MS = 10_000;

/**
 * Web API client options: SLACK_API_URL (GovSlack, a test server), a timeout on every call, and
 * few retries. The client's default retries for about thirty minutes; rolegate's outbox retries
 * notices itself, and a person waiting on a command is better told than kept waiting.
 */
export function slackClientOptions(env: Pick<Env, "SLACK_API_URL">, retries = 2) {
  const url = env.SLACK_API_URL;
  return {
    // The client joins method names straight onto this URL: it must end with a slash.
    ...(url ? { slackApiUrl: url.endsWith("/") ? url : `${url}/` } : {}),
    timeout: SLACK_CALL_TIMEOUT_MS,
    retryConfig: { retries, maxTimeout: 5_000 },
  };
}

function metricsRoute(metrics: NonNullable<SlackAppOptions["metrics"]>, logger: Logger) {
  return {
    path: "/metrics",
    method: ["GET"],
    handler: (_req: IncomingMessage, res: ServerResponse) => {
      void metrics.exposition().then(
        (text) => {
          res.writeHead(200, { "content-type": metrics.contentType });
          res.end(text);
        },
        (error: unknown) => {
          // The database did not answer: a scrape that fails is itself the signal.
          logger.warn("could not gather the metrics", { error });
          res.writeHead(503, { "content-type": "text/plain" });
          res.end("metrics unavailable: the database did not answer\n");
        },
      );
    },
  };
}
