// Policy as code, per target and per requested role (rolegate.yml): how long a grant may last,
// whether a permanent change is allowed at all, and who may ask. Checked when filing and — for
// who may ask — again when an approval is counted.
import type { Target } from "../config/file.js";
import { durationText } from "./durations.js";
import type { RoleRef } from "./types.js";

/** What a by-role map says for a role: by its name, then its id, then `default`. */
export function forRole<T>(map: Readonly<Record<string, T>> | undefined, role: RoleRef): T | undefined {
  if (!map) return undefined;
  return map[role.name.toLowerCase()] ?? map[role.id.toLowerCase()] ?? map.default;
}

/** Why this duration (null: permanent) is not allowed for this role in this target, or null. */
export function durationProblem(target: Target, role: RoleRef, durationSeconds: number | null): string | null {
  const required = typeof target.requireDuration === "boolean" ? target.requireDuration : forRole(target.requireDuration, role);
  const maxMs = forRole(target.maxDuration, role);
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
