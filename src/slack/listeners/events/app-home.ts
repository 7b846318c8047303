// The App Home tab, drawn each time someone opens it: the person's own recent requests and, for
// an approver, what waits on them — only requests of the targets they approve.
import type { App } from "@slack/bolt";
import { viewerOf } from "../../../requests/visibility.js";
import { homeView } from "../../blocks/home.js";
import type { ListenerDeps } from "../deps.js";

export function register(app: App, deps: ListenerDeps): void {
  app.event("app_home_opened", async ({ event, client }) => {
    if (event.tab !== "home") return;
    try {
      const viewer = await viewerOf(event.user, deps.config, deps.policy);
      const visibleTo = { viewer, allTargets: [...deps.config.targets.keys()] };
      const mine = await deps.repo.history({ kind: "requester", userId: event.user }, 5, visibleTo);
      const waiting = viewer.approves.size > 0 ? await deps.repo.history({ kind: "awaiting", userId: event.user }, 10, visibleTo) : null;
      await client.views.publish({ user_id: event.user, view: homeView(mine, waiting) });
    } catch (error) {
      deps.logger.warn("could not draw the App Home tab", { user: event.user, error });
    }
  });
}
