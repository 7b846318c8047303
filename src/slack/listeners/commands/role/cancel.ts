// `/role cancel <id>`: the requester withdraws a request not yet applied.
import { escapeText } from "../../../blocks/text.js";
import { afterDecision, type SubcommandHandler } from "./context.js";

export const cancelRequest: SubcommandHandler<"cancel"> = async (command, { ack, reply, deps, slash }) => {
  await ack();
  const result = await deps.service.cancel(command.id, slash.user_id);
  await afterDecision(
    reply({ text: result.ok ? `Request *${command.id}* is cancelled.` : escapeText(result.refusal.message) }),
    deps,
  );
};
