// `/role show <id>`: one request in full, with its audit trail — if the person may see it.
import { canSee, viewerOf } from "../../../../requests/visibility.js";
import { showMessage } from "../../../blocks/history.js";
import type { SubcommandHandler } from "./context.js";

export const showRequest: SubcommandHandler<"show"> = async (command, { ack, reply, deps, slash }) => {
  await ack();
  const request = await deps.service.find(command.id);
  // The same answer whether it does not exist or is not theirs to see: an id is no oracle.
  if (!request || !canSee(await viewerOf(slash.user_id, deps.config, deps.policy), request)) {
    await reply({
      text: `There is no request ${command.id} that you can see: you see your own requests and those of the targets you approve. \`/role history\` lists them.`,
    });
    return;
  }
  const reverts = request.durationSeconds !== null ? await deps.history.revertsOf(request.id) : [];
  const extended = request.extendsGrant ? await deps.service.find(request.extendsGrant) : null;
  const message = showMessage(
    request,
    await deps.history.auditTrail(request.id),
    deps.config.targets,
    reverts,
    extended,
  );
  await reply({ text: message.text, blocks: message.blocks });
};
