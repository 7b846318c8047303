// `/role targets`: the configured targets and their roles, read live from each vendor.
import { targetsMessage } from "../../../blocks/history.js";
import { loadRoleChoices } from "../../views/role-choices.js";
import type { SubcommandHandler } from "./context.js";

export const listTargets: SubcommandHandler<"targets"> = async (_command, { ack, reply, deps }) => {
  await ack({ response_type: "ephemeral", text: "Reading each target's roles…" });
  const entries = await Promise.all(
    [...deps.config.targets.keys()].map(async (name) => {
      const choices = await loadRoleChoices(deps, name);
      return {
        name,
        roles: choices && "roles" in choices ? choices.roles.map((r) => r.name) : (choices?.error ?? "unknown"),
      };
    }),
  );
  const message = targetsMessage(entries, deps.config.targets);
  await reply({ text: message.text, blocks: message.blocks });
};
