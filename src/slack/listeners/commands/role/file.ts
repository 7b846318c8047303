// `/role set …` and `/role add …`: file the request. The ack says what is being read; the reply
// says it was filed and where approvers were asked, or why nothing was filed.
import { approvalChannelFor } from "../../../../config/file.js";
import { escapeText } from "../../../blocks/text.js";
import { afterDecision, type SubcommandHandler } from "./context.js";

export const fileRequest: SubcommandHandler<"set" | "add"> = async (command, { ack, reply, deps, slash }) => {
  const targets = command.type === "set" ? [command.target] : command.targets;
  await ack({
    response_type: "ephemeral",
    text: `Reading the current role${command.members.length > 1 ? "s" : ""} in ${escapeText(targets.join(", "))}…`,
  });
  const result = await deps.filing.file({
    kind: command.type === "set" ? "SET_ROLE" : "ADD_TO_ORGS",
    targets,
    members: command.members,
    role: command.role,
    ...(command.type === "set" ? { durationSeconds: command.durationSeconds } : {}),
    reason: command.reason,
    requesterId: slash.user_id,
  });
  await afterDecision(
    reply({
      text: result.ok
        ? `Request *${result.value.id}* filed: approvers have been asked in <#${approvalChannelFor(deps.config, result.value.target)}>. I'll DM you as it moves.`
        : `Nothing was filed: ${escapeText(result.refusal.message)}`,
    }),
    deps,
  );
};
