// Writes every notice to the log. It is what main.ts wires until the Slack surface (approval
// card updates, DMs) is in place, and stays useful as an audit echo in the process log.
import type { Logger } from "../logger.js";
import type { Notice, Notifier } from "./notifier.js";

export class LoggingNotifier implements Notifier {
  constructor(private readonly logger: Logger) {}

  async notify({ type, request, actor }: Notice): Promise<void> {
    this.logger.info("request notice", { notice: type, request: request.id, status: request.status, target: request.target, actor });
  }
}
