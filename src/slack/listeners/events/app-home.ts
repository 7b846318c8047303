// The App Home tab, drawn each time someone opens it.
import type { App } from "@slack/bolt";
import { homeView } from "../../blocks/home.js";
import type { ListenerDeps } from "../deps.js";

export function register(app: App, deps: ListenerDeps): void {
  app.event("app_home_opened", async ({ event, client }) => {
    if (event.tab !== "home") return;
    try {
      const mine = await deps.repo.history({ kind: "requester", userId: event.user }, 5);
      const approverSomewhere = await anyTarget(deps, event.user);
      const waiting = approverSomewhere ? await deps.repo.history({ kind: "pending" }, 10) : null;
      await client.views.publish({ user_id: event.user, view: homeView(mine, waiting) });
    } catch (error) {
      deps.logger.warn("could not draw the App Home tab", { user: event.user, error });
    }
  });
}

async function anyTarget(deps: ListenerDeps, userId: string): Promise<boolean> {
  for (const name of deps.config.targets.keys()) if (await deps.policy.mayDecide(userId, [name])) return true;
  return false;
}
