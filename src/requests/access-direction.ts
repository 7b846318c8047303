// Whether a change raises or lowers a member's access, by the vendor's ladder of built-in roles
// (vendors/traits.ts). Nobody may make a decision whose effect leaves them with more access than
// the alternative, so the own-access rules need to know which way a change goes; a role on no
// rung cannot be compared, and "unknown" is treated as the direction that would be refused.
import type { VendorName } from "../config/file.js";
import { traitsOf } from "../vendors/traits.js";
import type { RoleRef, TeamRole } from "./types.js";

export type Direction = "raises" | "lowers" | "same" | "unknown";

/**
 * `from`: the role held now, by name (null: not a member); `teamRoles`: the Sentry team roles the
 * change sets; `teamRolesBefore`: the member's team roles before it, null when never read.
 */
export function directionOf(
  vendor: VendorName,
  from: string | null,
  to: RoleRef,
  teamRoles: readonly TeamRole[] | null = null,
  teamRolesBefore: readonly TeamRole[] | null = null,
): Direction {
  if (from === null) return "raises"; // joining an organization
  const { roleLadder, teamRoleLadder } = traitsOf(vendor);
  const rung = (names: string[]) => roleLadder.findIndex((r) => names.some((n) => r.includes(n.toLowerCase())));
  const was = rung([from]);
  const will = rung([to.id, to.name]);
  if (was < 0 || will < 0)
    return from.toLowerCase() === to.name.toLowerCase() || from.toLowerCase() === to.id.toLowerCase()
      ? teamsOnly()
      : "unknown";
  if (will !== was) return will > was ? "raises" : "lowers";
  return teamsOnly();

  function teamsOnly(): Direction {
    const wanted = teamRoles ?? [];
    if (wanted.length === 0) return "same";
    // Not read yet: only a change to the top team role surely takes nothing away.
    if (teamRolesBefore === null)
      return wanted.every((w) => w.role?.toLowerCase() === teamRoleLadder.at(-1)) ? "raises" : "unknown";
    const moves = wanted.map((want) => {
      const held = teamRolesBefore.find((t) => t.team.toLowerCase() === want.team.toLowerCase())?.role ?? null;
      const level = (role: string | null) => (role === null ? -1 : teamRoleLadder.indexOf(role.toLowerCase()));
      if (want.role !== null && level(want.role) < 0) return "unknown";
      if (held !== null && level(held) < 0) return "unknown";
      return level(want.role) > level(held) ? "raises" : level(want.role) < level(held) ? "lowers" : "same";
    });
    if (moves.includes("unknown")) return "unknown";
    if (moves.includes("raises")) return moves.includes("lowers") ? "unknown" : "raises";
    return moves.includes("lowers") ? "lowers" : "same";
  }
}
