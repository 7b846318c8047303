// At start, each target's `approvals` keys are checked against the roles its vendor lists, so
// a misspelt key ("ownr: 2") stops rolegate instead of silently falling back to `default`.
// A vendor that does not answer in time is not a reason to refuse to start: filing checks the
// keys again against the roles it reads, and refuses while one matches nothing.
import type { RolegateConfig } from "../config/file.js";
import type { Logger } from "../logger.js";
import type { ConnectorRegistry } from "../vendors/connector.js";
import { hasRoleKeys, unknownRoleKeys } from "./approval-policy.js";

/** One line per key that matches no role, naming its path in rolegate.yml; [] when all match. */
export async function approvalKeyProblems(
  config: Pick<RolegateConfig, "targets">,
  connectors: ConnectorRegistry,
  logger: Logger,
  timeoutMs = 5_000,
): Promise<string[]> {
  const perTarget = await Promise.all(
    [...config.targets.values()].map(async (target) => {
      if (!hasRoleKeys(target)) return [];
      try {
        const roles = await connectors.forTarget(target.name).listRoles({ signal: AbortSignal.timeout(timeoutMs) });
        return unknownRoleKeys(target, roles).map(
          ({ map, key }) =>
            `targets.${target.name}.${map}.${key}: matches none of ${target.name}'s roles (${roles.map((r) => r.name).join(", ")})`,
        );
      } catch (error) {
        logger.warn("could not check a target's approvals keys at start; filing checks them again", {
          target: target.name,
          error,
        });
        return [];
      }
    }),
  );
  return perTarget.flat();
}
