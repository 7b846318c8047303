// The roles a target offers, read from its vendor for the request form and /role targets.
import type { RoleChoices } from "../../blocks/forms.js";
import { describeVendorFailure } from "../../../vendors/errors.js";
import type { ListenerDeps } from "../deps.js";

export async function loadRoleChoices(
  deps: Pick<ListenerDeps, "connectors" | "logger">,
  target: string,
  timeoutMs = 2_500,
): Promise<RoleChoices> {
  try {
    const roles = await deps.connectors.forTarget(target).listRoles({ signal: AbortSignal.timeout(timeoutMs) });
    return { roles };
  } catch (error) {
    deps.logger.warn("could not list a target's roles", { target, error });
    return { error: describeVendorFailure(error) };
  }
}
