// The App Home tab, drawn each time someone opens it (and redrawn by the HomeRefresher when a
// request it shows changes): the person's access and open requests and, for an approver, what
// waits on them — only requests of the targets they approve.
import type { App } from "@slack/bolt";
import type { ListenerDeps } from "../deps.js";

export function register(app: App, deps: ListenerDeps): void {
  app.event("app_home_opened", async ({ event }) => {
    if (event.tab !== "home") return;
    try {
      await deps.home.opened(event.user);
    } catch (error) {
      deps.logger.warn("could not draw the App Home tab", { user: event.user, error });
    }
  });
}
