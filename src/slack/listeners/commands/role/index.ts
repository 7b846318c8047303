// /role: parse, then hand the subcommand to its handler, one small file each. Each answers at
// once (Slack allows three seconds), then does the slow part — vendor lookups, database queries —
// and replaces the first answer with the result. Every reply is ephemeral; only the approval
// card is public.
import type { App, RespondArguments } from "@slack/bolt";
import { FULL_USAGE, parseRoleCommand, type RoleCommand } from "../../../../requests/grammar.js";
import { escapeText } from "../../../blocks/text.js";
import { FAULT_MESSAGE, type ListenerDeps } from "../../deps.js";
import { cancelRequest } from "./cancel.js";
import type { Context, SubcommandHandler } from "./context.js";
import { fileRequest } from "./file.js";
import { openForm } from "./form.js";
import { showHistory } from "./history.js";
import { showWho, syncNow } from "./inventory.js";
import { showRequest } from "./show.js";
import { listTargets } from "./targets.js";

const showHelp: SubcommandHandler<"help"> = async (_command, { ack }) => {
  await ack({ response_type: "ephemeral", text: escapeText(FULL_USAGE) });
};

const HANDLERS: { [T in RoleCommand["type"]]: SubcommandHandler<T> } = {
  help: showHelp,
  form: openForm,
  set: (command, context) => fileRequest(command, context),
  add: (command, context) => fileRequest(command, context),
  history: showHistory,
  show: showRequest,
  cancel: cancelRequest,
  targets: listTargets,
  who: showWho,
  sync: syncNow,
};

// T is named once in the signature, and used in the body: it ties the command to its handler.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
function handle<T extends RoleCommand["type"]>(
  command: Extract<RoleCommand, { type: T }>,
  context: Context,
): Promise<void> {
  return (HANDLERS[command.type] as SubcommandHandler<T>)(command, context);
}

export function register(app: App, deps: ListenerDeps): void {
  app.command("/role", async ({ command: slash, ack, respond, client }) => {
    const parsed = parseRoleCommand(slash.text, new Set(deps.config.targets.keys()));
    if (!parsed.ok) {
      // Both echo what was typed and carry <placeholders>: escape, or Slack reads them as markup.
      await ack({ response_type: "ephemeral", text: escapeText(`${parsed.error}\n\n${parsed.usage}`) });
      return;
    }
    const reply = (message: RespondArguments) =>
      respond({ response_type: "ephemeral", replace_original: true, ...message });
    try {
      await handle(parsed.command, { ack, reply, client, deps, slash });
    } catch (error) {
      deps.logger.error("/role failed", { subcommand: parsed.command.type, user: slash.user_id, error });
      await reply({ text: FAULT_MESSAGE }).catch(() => {});
    }
  });
}
