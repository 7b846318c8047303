// rolegate serves the one workspace its bot token belongs to. A signed request still says which
// workspace and app it comes from; one from any other (an app distributed further, a second
// install sharing the signing secret) is refused before any listener sees it, and a request
// that does not say where it comes from is refused too: this check fails closed.
import type { AllMiddlewareArgs, AnyMiddlewareArgs, Middleware, webApi } from "@slack/bolt";
import type { Logger } from "../logger.js";

interface Installation {
  teamId: string | undefined;
  enterpriseId: string | undefined;
  enterpriseInstall: boolean;
  appId: string | undefined;
}

interface Origin {
  teamId: string | undefined;
  enterpriseId: string | undefined;
  appId: string | undefined;
}

export const WRONG_WORKSPACE_MESSAGE = "rolegate is installed in another Slack workspace; nothing was done here.";

type Body = Record<string, unknown> & { team?: { id?: string } | null; enterprise?: { id?: string } | null; user?: { team_id?: string } };

/** Where a command, click, form or event says it comes from. */
export function originOf(body: Body): Origin {
  const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
  return {
    teamId: str(body.team_id) ?? str(body.team?.id) ?? str(body.user?.team_id),
    enterpriseId: str(body.enterprise_id) ?? str(body.enterprise?.id),
    appId: str(body.api_app_id),
  };
}

export function isFromInstallation(origin: Origin, installed: Installation): boolean {
  if (origin.appId && installed.appId && origin.appId !== installed.appId) return false;
  if (installed.enterpriseInstall && installed.enterpriseId) return origin.enterpriseId === installed.enterpriseId;
  return origin.teamId !== undefined && origin.teamId === installed.teamId;
}

export function workspaceGuard(client: Pick<webApi.WebClient, "auth">, logger: Logger): Middleware<AnyMiddlewareArgs> {
  let installed: Promise<Installation> | undefined;
  const installation = () => {
    // Asked once; a failure is not remembered, so the next request asks again.
    installed ??= client.auth.test().then(
      (auth) => ({
        teamId: auth.team_id,
        enterpriseId: auth.enterprise_id,
        enterpriseInstall: auth.is_enterprise_install === true,
        appId: auth.app_id,
      }),
      (error: unknown) => {
        installed = undefined;
        throw error;
      },
    );
    return installed;
  };

  return async (args: AnyMiddlewareArgs & AllMiddlewareArgs) => {
    const origin = originOf(args.body as unknown as Body);
    if (isFromInstallation(origin, await installation())) return args.next();
    logger.warn("refused a request from another workspace or app", { ...origin });
    if (!("ack" in args) || typeof args.ack !== "function") return;
    const ack = args.ack as (response?: unknown) => Promise<void>;
    await ack("command" in args ? { response_type: "ephemeral", text: WRONG_WORKSPACE_MESSAGE } : undefined);
  };
}
