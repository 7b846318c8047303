// What every /role subcommand handler is handed: the ack (Slack's three seconds), the reply that
// replaces it, the Web API client, rolegate's services, and who typed the command where.
import type { App, RespondArguments, SlashCommand } from "@slack/bolt";
import type { RoleCommand } from "../../../../requests/grammar.js";
import type { ListenerDeps } from "../../deps.js";

export interface Context {
  ack: (message?: string | RespondArguments) => Promise<void>;
  reply: (message: RespondArguments) => Promise<unknown>;
  client: App["client"];
  deps: ListenerDeps;
  slash: SlashCommand;
}

/** A handler for one subcommand, typed by the command it handles. */
export type SubcommandHandler<T extends RoleCommand["type"]> = (
  command: Extract<RoleCommand, { type: T }>,
  context: Context,
) => Promise<void>;

/**
 * The answer after the outcome is decided (and, if anything changed, committed). A failure to
 * deliver it must not reach the catch-all, whose "nothing was changed" would then be untrue;
 * the requester's DM tells them what happened instead.
 */
export async function afterDecision(answer: Promise<unknown>, deps: ListenerDeps): Promise<void> {
  await answer.catch((error: unknown) =>
    deps.logger.warn("could not answer /role after the outcome was recorded", { error }),
  );
}
