import { describe, expect, it } from "vitest";
import { createLogger } from "../src/logger.js";
import { secretValues } from "../src/secrets.js";

describe("the logger", () => {
  it("never writes a registered secret, wherever it appears", () => {
    const lines: string[] = [];
    const secrets = secretValues(
      {
        SLACK_BOT_TOKEN: "xoxb-test-123456789",
        SENTRY_TOKEN: "sntrys_secret_value",
        DATABASE_URL: "postgresql://rg:p%40ssw0rd!x@db/rg",
      },
      ["SENTRY_TOKEN"],
    );
    const logger = createLogger({ level: "debug", secrets, write: (l) => lines.push(l) }).child({ component: "test" });

    logger.error("call failed for Bearer sntrys_secret_value", {
      url: "https://x.test/?token=xoxb-test-123456789",
      error: new Error("auth failed: p@ssw0rd!x rejected"),
    });

    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/sntrys_secret_value|xoxb-test-123456789|p@ssw0rd!x/);
    const record = JSON.parse(lines[0]!);
    expect(record).toMatchObject({ level: "error", component: "test", msg: "call failed for Bearer [redacted]" });
    expect(record.error.message).toBe("auth failed: [redacted] rejected");
  });

  it("redacts secrets of any length, in their JSON-escaped form too, and a database password both encoded and decoded", () => {
    const lines: string[] = [];
    const secrets = secretValues({ SHORT_KEY: 'k"\\1', DATABASE_URL: "postgresql://rg:p%40ss@db/rg" }, ["SHORT_KEY"]);
    const logger = createLogger({ level: "debug", secrets, write: (l) => lines.push(l) });

    logger.warn('vendor echoed k"\\1 back', { url: "postgresql://rg:p%40ss@db/rg", said: "password p@ss refused" });

    expect(lines[0]).not.toMatch(/k\\"|p%40ss|p@ss/);
    const record = JSON.parse(lines[0]!);
    expect(record).toMatchObject({
      msg: "vendor echoed [redacted] back",
      url: "postgresql://rg:[redacted]@db/rg",
      said: "password [redacted] refused",
    });
  });

  it("writes only what its level lets through", () => {
    const lines: string[] = [];
    const logger = createLogger({ level: "warn", write: (l) => lines.push(l) });
    logger.info("routine");
    logger.debug("noise");
    logger.warn("worth a look");
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(["worth a look"]);
  });

  it("blanks fields named for credentials even when their value is no registered secret, and keeps an error's cause", () => {
    const lines: string[] = [];
    const logger = createLogger({ level: "debug", write: (l) => lines.push(l) });
    const cause = new Error("socket hang up");
    logger.error("vendor call failed", {
      request: { headers: { authorization: "Bearer not-registered-1" } },
      token: "also-not-registered",
      error: new Error("PUT failed", { cause }),
    });

    expect(lines[0]).not.toMatch(/not-registered/);
    const record = JSON.parse(lines[0]!);
    expect(record).toMatchObject({
      level: "error",
      msg: "vendor call failed",
      token: "[redacted]",
      request: { headers: { authorization: "[redacted]" } },
    });
    expect(record.error).toMatchObject({
      type: "Error",
      message: "PUT failed",
      cause: { type: "Error", message: "socket hang up" },
    });
    expect(record.time).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });
});
