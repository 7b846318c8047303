import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config/errors.js";
import { readEnv } from "../../src/config/env.js";

const HTTP_MODE = { SLACK_BOT_TOKEN: "xoxb-test-1", SLACK_SIGNING_SECRET: "signing-secret" };

function problemsOf(env: NodeJS.ProcessEnv): { problems: string[]; message: string } {
  try {
    readEnv(env);
  } catch (error) {
    if (error instanceof ConfigError) return { problems: error.problems, message: error.message };
    throw error;
  }
  throw new Error("the environment was accepted");
}

describe("the environment", () => {
  it("names every missing or malformed variable in one message that points to the README", () => {
    const { problems, message } = problemsOf({ PORT: "eighty", LOG_LEVEL: "loud", DATABASE_URL: "mysql://x" });
    expect(problems).toEqual([
      "SLACK_BOT_TOKEN is not set: the bot token (xoxb-…) from the Slack app's OAuth & Permissions page",
      "PORT must be a port number",
      "DATABASE_URL must be a PostgreSQL URL (postgresql://user@host:5432/db); leave it unset for the embedded database",
      "LOG_LEVEL must be one of error, warn, info, debug",
      "SLACK_SIGNING_SECRET is not set: HTTP mode needs the signing secret from the Slack app's Basic Information page (or set SLACK_APP_TOKEN for Socket Mode)",
    ]);
    expect(message).toContain('See README.md, section "Configuration".');
  });

  it("has defaults for everything but Slack's credentials", () => {
    expect(readEnv(HTTP_MODE)).toEqual({
      ...HTTP_MODE,
      PORT: 3000,
      ROLEGATE_DATA_DIR: "./.data",
      ROLEGATE_CONFIG: "./rolegate.yml",
      LOG_LEVEL: "info",
      SLACK_CHANNEL_PACE_MS: 1_000,
    });
  });

  it("Socket Mode needs the app token and no signing secret", () => {
    expect(readEnv({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xapp-1" }).SLACK_APP_TOKEN).toBe("xapp-1");
    expect(problemsOf({ SLACK_BOT_TOKEN: "xoxb-1", SLACK_APP_TOKEN: "xoxb-wrong" }).problems).toEqual([
      "SLACK_APP_TOKEN must be an app-level token, starting with xapp-",
    ]);
  });

  it("refuses a user token in place of the bot token, and treats blank values as unset", () => {
    expect(problemsOf({ ...HTTP_MODE, SLACK_BOT_TOKEN: "xoxp-user" }).problems).toEqual([
      "SLACK_BOT_TOKEN must be a bot token, starting with xoxb-",
    ]);
    expect(problemsOf({ ...HTTP_MODE, SLACK_SIGNING_SECRET: "  " }).problems).toHaveLength(1);
    expect(readEnv({ ...HTTP_MODE, PORT: "", DATABASE_URL: "" })).toMatchObject({
      PORT: 3000,
      DATABASE_URL: undefined,
    });
  });

  it("paces posts at Slack's one a second per channel unless told otherwise, and says how to write it", () => {
    expect(readEnv({ ...HTTP_MODE, SLACK_CHANNEL_PACE_MS: "0" }).SLACK_CHANNEL_PACE_MS).toBe(0);
    expect(problemsOf({ ...HTTP_MODE, SLACK_CHANNEL_PACE_MS: "1s" }).problems).toEqual([
      "SLACK_CHANNEL_PACE_MS must be a number of milliseconds, such as 1000",
    ]);
    expect(problemsOf({ ...HTTP_MODE, SLACK_CHANNEL_PACE_MS: "-5" }).problems).toEqual([
      "SLACK_CHANNEL_PACE_MS must be 0 or more milliseconds, such as 1000",
    ]);
  });

  it("takes an API URL for GovSlack or a test server", () => {
    expect(readEnv({ ...HTTP_MODE, SLACK_API_URL: "https://slack-gov.com/api/" }).SLACK_API_URL).toBe(
      "https://slack-gov.com/api/",
    );
    expect(problemsOf({ ...HTTP_MODE, SLACK_API_URL: "slack-gov.com" }).problems).toEqual([
      "SLACK_API_URL must be an http(s) URL such as https://slack-gov.com/api/",
    ]);
  });
});
