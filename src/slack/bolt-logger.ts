// Bolt logs through our logger, so its lines are JSON like ours and pass the same secret
// redaction.
import { LogLevel, type Logger as BoltLogger } from "@slack/bolt";
import type { Logger } from "../logger.js";

export function boltLogger(logger: Logger): BoltLogger {
  let level = LogLevel.INFO;
  const log = logger.child({ component: "bolt" });
  const text = (parts: unknown[]) =>
    parts.map((p) => (typeof p === "string" ? p : p instanceof Error ? p.message : JSON.stringify(p))).join(" ");
  return {
    debug: (...parts) => log.debug(text(parts)),
    info: (...parts) => log.info(text(parts)),
    warn: (...parts) => log.warn(text(parts)),
    error: (...parts) => log.error(text(parts)),
    setLevel: (next) => void (level = next),
    getLevel: () => level,
    setName: () => {},
  };
}
