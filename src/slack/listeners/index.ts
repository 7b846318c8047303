// Binds every Slack entry point to its handler.
import type { App } from "@slack/bolt";
import { register as decisions } from "./actions/decisions.js";
import { register as failedReverts } from "./actions/failed-reverts.js";
import { register as formTarget } from "./actions/form-target.js";
import { register as historyOlder } from "./actions/history-older.js";
import { register as outsideChanges } from "./actions/outside-changes.js";
import { register as roleCommand } from "./commands/role/index.js";
import type { ListenerDeps } from "./deps.js";
import { register as appHome } from "./events/app-home.js";
import { register as denyForm } from "./views/deny-form.js";
import { register as requestForm } from "./views/request-form.js";
import { workspaceGuard } from "../workspace-guard.js";

export function registerListeners(app: App, deps: ListenerDeps): void {
  // Before every listener: only the workspace (and app) rolegate is installed in is served.
  app.use(workspaceGuard(deps.installation, deps.logger));
  roleCommand(app, deps);
  decisions(app, deps);
  failedReverts(app, deps);
  formTarget(app, deps);
  historyOlder(app, deps);
  outsideChanges(app, deps);
  requestForm(app, deps);
  denyForm(app, deps);
  appHome(app, deps);
}
