// rolegate serves the one workspace its bot token belongs to. A signed request still says which
// workspace and app it comes from; one from any other (an app distributed further, a second
// install sharing the signing secret) is refused before any listener sees it, and a request
// that does not say where it comes from is refused too: this check fails closed.
import type { AllMiddlewareArgs, AnyMiddlewareArgs, Middleware } from "@slack/bolt";
import type { Logger } from "../logger.js";
import type { Installation } from "./slack-connection.js";

interface Origin {
  teamId: string | undefined;
  enterpriseId: string | undefined;
  appId: string | undefined;
}

export const WRONG_WORKSPACE_MESSAGE = "rolegate is installed in another Slack workspace; nothing was done here.";

/** Until Slack has said which workspace the token belongs to, nobody is served — in words. */
export const STARTING_MESSAGE =
  "rolegate is starting and has not reached Slack yet, so it cannot tell who you are; nothing was done. Please try again in a minute.";

type Body = Record<string, unknown> & {
  team?: { id?: string } | null;
  enterprise?: { id?: string } | null;
  user?: { team_id?: string };
};

/** Where a command, click, form or event says it comes from. */
function originOf(body: Body): Origin {
  const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
  return {
    teamId: str(body.team_id) ?? str(body.team?.id) ?? str(body.user?.team_id),
    enterpriseId: str(body.enterprise_id) ?? str(body.enterprise?.id),
    appId: str(body.api_app_id),
  };
}

function isFromInstallation(origin: Origin, installed: Installation): boolean {
  if (origin.appId && installed.appId && origin.appId !== installed.appId) return false;
  if (installed.enterpriseInstall && installed.enterpriseId) return origin.enterpriseId === installed.enterpriseId;
  return origin.teamId !== undefined && origin.teamId === installed.teamId;
}

export function workspaceGuard(
  installation: () => Installation | undefined,
  logger: Logger,
): Middleware<AnyMiddlewareArgs> {
  return async (args: AnyMiddlewareArgs & AllMiddlewareArgs) => {
    const origin = originOf(args.body as unknown as Body);
    const installed = installation();
    if (installed && isFromInstallation(origin, installed)) return args.next();
    if (installed) logger.warn("refused a request from another workspace or app", { ...origin });
    else
      logger.warn("refused a request: Slack has not yet said which workspace the bot token belongs to", { ...origin });
    if (!("ack" in args) || typeof args.ack !== "function") return;
    // The answer goes back in the acknowledgement itself: it needs no Web API call.
    const ack = args.ack as (response?: unknown) => Promise<void>;
    const text = installed ? WRONG_WORKSPACE_MESSAGE : STARTING_MESSAGE;
    if ("command" in args) await ack({ response_type: "ephemeral", text });
    else if (args.body.type === "view_submission")
      await ack({ response_action: "errors", errors: firstBlockError(args.body, text) });
    else {
      await ack();
      // A click has no answer in its acknowledgement; its response_url is the one way left.
      const respond = (args as { respond?: (message: unknown) => Promise<unknown> }).respond;
      if (respond) void respond({ response_type: "ephemeral", replace_original: false, text }).catch(() => {});
    }
  };
}

/** A form's refusal is shown against one of its inputs: the first block of the view. */
function firstBlockError(body: unknown, text: string): Record<string, string> {
  const blocks = (body as { view?: { blocks?: { block_id?: string; type?: string }[] } }).view?.blocks ?? [];
  const input = blocks.find((b) => b.type === "input") ?? blocks[0];
  return input?.block_id ? { [input.block_id]: text } : {};
}
