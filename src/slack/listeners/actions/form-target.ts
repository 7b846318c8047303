// Picking a target in the request form loads that target's roles from its vendor and redraws
// the form with them (Slack keeps what was already typed in the other fields).
import type { App, BlockAction, StaticSelectAction } from "@slack/bolt";
import { ACTIONS } from "../../action-ids.js";
import { requestForm, type FormMetadata } from "../../blocks/forms.js";
import { readFormMetadata } from "../../view-metadata.js";
import type { ListenerDeps } from "../deps.js";
import { loadRoleChoices } from "../views/role-choices.js";

export function register(app: App, deps: ListenerDeps): void {
  app.action<BlockAction<StaticSelectAction>>(ACTIONS.formTarget, async ({ ack, body, action, client }) => {
    await ack();
    const view = body.view;
    if (!view) return;
    const target = action.selected_option.value;
    const metadata: FormMetadata = { ...readFormMetadata(view.private_metadata), target };
    const choices = await loadRoleChoices(deps, target);
    await client.views
      .update({
        view_id: view.id,
        hash: view.hash,
        view: requestForm([...deps.config.targets.values()], metadata, choices),
      })
      .catch((error: unknown) => {
        // hash_conflict: the person changed the form meanwhile; their newer choice redraws it.
        deps.logger.warn("could not redraw the request form", { error });
      });
  });
}
