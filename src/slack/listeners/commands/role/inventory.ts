// `/role who <target> [<role>]` and `/role sync <target>`: the inventory, for the target's
// approvers. Anyone else is told, in words, that these are for approvers.
import { escapeText } from "../../../blocks/text.js";
import { whoMessage } from "../../../blocks/who.js";
import type { SubcommandHandler } from "./context.js";

export const showWho: SubcommandHandler<"who"> = async (command, { ack, reply, deps, slash }) => {
  await ack({ response_type: "ephemeral", text: `Reading ${command.target}'s ledger…` });
  const answer = await deps.inventory.who(command.target, command.role, slash.user_id);
  if (!answer.ok) return void (await reply({ text: escapeText(answer.refusal.message) }));
  const message = whoMessage(answer.value, deps.clock());
  await reply({ text: message.text, blocks: message.blocks });
};

export const syncNow: SubcommandHandler<"sync"> = async (command, { ack, reply, deps, slash }) => {
  await ack();
  const result = await deps.inventory.sync(command.target, slash.user_id);
  if (!result.ok) return void (await reply({ text: escapeText(result.refusal.message) }));
  const running = result.value.status?.syncing ? " A sync already under way finishes first." : "";
  await reply({
    text: `Reading ${escapeText(command.target)}'s members from the vendor now.${running} Changes made outside rolegate will show on a card in the approval channel; \`/role who ${escapeText(command.target)}\` shows the result.`,
  });
};
