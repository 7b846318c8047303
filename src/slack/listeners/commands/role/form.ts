// `/role` alone: the request form. It opens at once (the trigger is good for three seconds);
// with one target there is nothing to pick, so it is chosen and its roles filled in after.
import { requestForm } from "../../../blocks/forms.js";
import { loadRoleChoices } from "../../views/role-choices.js";
import type { SubcommandHandler } from "./context.js";

export const openForm: SubcommandHandler<"form"> = async (_command, { ack, client, deps, slash }) => {
  await ack();
  const targets = [...deps.config.targets.values()];
  const only = targets.length === 1 ? targets[0]!.name : null;
  const metadata = { channel: slash.channel_id, target: only };
  const opened = await client.views.open({ trigger_id: slash.trigger_id, view: requestForm(targets, metadata) });
  if (only && opened.view?.id) {
    const choices = await loadRoleChoices(deps, only);
    await client.views.update({
      view_id: opened.view.id,
      ...(opened.view.hash ? { hash: opened.view.hash } : {}),
      view: requestForm(targets, metadata, choices),
    });
  }
};
