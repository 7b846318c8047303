// Policy as code, per target and per requested role (rolegate.yml): how long a grant may last,
// whether a permanent change is allowed at all, and who may ask. Checked when filing and — for
// who may ask — again when an approval is counted.
import type { Target } from "../config/file.js";
import { durationText } from "./durations.js";
import type { RoleRef, TeamRole } from "./types.js";

/** What a by-role map says for a role: by its name, then its id, then `default`. */
function forRole<T>(map: Readonly<Record<string, T>> | undefined, role: RoleRef): T | undefined {
  if (!map) return undefined;
  return map[role.name.toLowerCase()] ?? map[role.id.toLowerCase()] ?? map.default;
}

/**
 * Why this duration (null: permanent) is not allowed for this role in this target, or null.
 * Sentry team roles are held to their own keys, `team:<role>`, exactly as `approvals` counts
 * them: asking to be a team admin for good is refused where `requireDuration` says
 * `team:admin: true`, whatever the org role.
 */
export function durationProblem(
  target: Target,
  role: RoleRef,
  durationSeconds: number | null,
  teamRoles: readonly TeamRole[] | null = null,
): string | null {
  const own = roleDurationProblem(target, role, durationSeconds);
  if (own) return own;
  for (const team of teamRoles ?? []) {
    // Leaving a team (a revert's null) takes access away: no limit applies to it.
    if (team.role === null) continue;
    const key = `team:${team.role.toLowerCase()}`;
    const problem = roleDurationProblem(
      target,
      { id: key, name: `${team.role} of team ${team.team}` },
      durationSeconds,
      key,
    );
    if (problem) return problem;
  }
  return null;
}

/** `key`: only this exact key counts (a team role), no `default`. */
function roleDurationProblem(
  target: Target,
  role: RoleRef,
  durationSeconds: number | null,
  key?: string,
): string | null {
  const lookup = <T>(map: Readonly<Record<string, T>> | undefined) => (key ? map?.[key] : forRole(map, role));
  const required =
    typeof target.requireDuration === "boolean" ? target.requireDuration : lookup(target.requireDuration);
  const maxMs = lookup(target.maxDuration);
  if (durationSeconds === null) {
    if (!required) return null;
    const example = maxMs ? durationText(maxMs / 1000) : "8h";
    return `${role.name} in ${target.name} is only granted for a while: ask for a duration, e.g. \`for ${example}\` after the role (in the form, pick one).`;
  }
  if (maxMs !== undefined && durationSeconds * 1000 > maxMs) {
    return `${role.name} in ${target.name} can be granted for at most ${durationText(maxMs / 1000)}; you asked for ${durationText(durationSeconds)}.`;
  }
  return null;
}
