// With SLACK_APP_TOKEN set, rolegate takes Slack's requests over Socket Mode instead of HTTP:
// it opens the connection through SLACK_API_URL, acknowledges each envelope, and serves the
// same /role as over HTTP — plus /healthz on PORT.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/file.js";
import { FULL_USAGE } from "../../src/requests/grammar.js";
import { startRolegate, type RunningRolegate } from "../../src/start.js";
import { escapeText } from "../../src/slack/blocks/text.js";
import { openTestDatabase, quietLogger, type TestDatabase } from "../support/database.js";
import { FakeConnector } from "../support/fake-connector.js";
import { FakeSlackApi } from "../support/fake-slack-api.js";
import { FakeSocketMode } from "../support/fake-socket-mode.js";
import { freePort, waitFor } from "../support/wait.js";

const BOT_TOKEN = "xoxb-test-socket-0001";
const APP_TOKEN = "xapp-test-socket-0001";

let database: TestDatabase;
let slack: FakeSlackApi;
let socket: FakeSocketMode;
let rolegate: RunningRolegate;
let port: number;

beforeAll(async () => {
  database = await openTestDatabase();
  socket = new FakeSocketMode();
  await socket.start();
  slack = new FakeSlackApi(BOT_TOKEN);
  slack.socketMode = { url: socket.url, appToken: APP_TOKEN };
  await slack.start();
  const config = parseConfig(
    "approvalChannel: C0APPROVALS\napprovers: { users: [U0APPROVE] }\ntargets:\n  dolfin-acme: { vendor: dolfin, organization: org-acme, tokenEnv: T }\n",
    "test",
    { T: "token-value-1" },
  );
  const dolfin = new FakeConnector(config.targets.get("dolfin-acme")!);
  dolfin.addMember("usr_1", "ada@example.com", "member");
  port = await freePort();
  rolegate = await startRolegate({
    env: {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_APP_TOKEN: APP_TOKEN,
      SLACK_SIGNING_SECRET: undefined,
      SLACK_API_URL: slack.url,
      PORT: port,
      LOG_LEVEL: "error",
      SLACK_CHANNEL_PACE_MS: 0,
    },
    config,
    secrets: [BOT_TOKEN, APP_TOKEN, "token-value-1"],
    openDatabase: async () => database,
    connectorFactories: { dolfin: () => dolfin },
    vendorEnv: { T: "token-value-1" },
    clock: () => new Date(),
    logger: quietLogger,
    tuning: { slackRetries: 0 },
  });
  await waitFor(() => socket.connected, "the Socket Mode connection");
});

afterAll(async () => {
  await rolegate?.stop();
  await socket?.stop();
  await slack?.stop();
  await database?.drop();
});

const command = (text: string) => ({
  command: "/role",
  text,
  user_id: "U0REQUEST",
  channel_id: "C0GENERAL",
  team_id: "T0ACME",
  api_app_id: "A0ROLEGATE",
  response_url: slack.responseUrl(),
  trigger_id: "trigger.socket",
});

describe("Socket Mode", () => {
  it("opens its connection with the app token through SLACK_API_URL", () => {
    expect(slack.callsTo("apps.connections.open")).toHaveLength(1);
  });

  it("acknowledges /role over the socket with the same answers as over HTTP", async () => {
    const help = socket.deliver("slash_commands", command("help"));
    await waitFor(() => socket.ackFor(help) !== undefined, "the ack");
    expect(socket.ackFor(help)!.payload).toMatchObject({ response_type: "ephemeral", text: escapeText(FULL_USAGE) });

    const set = socket.deliver("slash_commands", command("set dolfin-acme ada@example.com admin on call"));
    await waitFor(() => socket.ackFor(set) !== undefined, "the ack");
    expect(socket.ackFor(set)!.payload).toMatchObject({ text: "Reading the current role in dolfin-acme…" });
    await waitFor(() => slack.responses.length > 0, "the filing reply");
    const [request] = await rolegate.history.list({ kind: "all" }, 1, "anyone");
    expect(request).toMatchObject({ status: "PENDING", requesterId: "U0REQUEST", requestedRole: { name: "Admin" } });
  });

  it("serves /healthz on PORT", async () => {
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
  });
});
