// Whether a member already holds what the request asks for. Compared by the vendor's role id
// or name, in any case, because people and vendors spell role names differently ("Admin",
// "admin") while meaning the same role.
import type { RoleRef, TeamRole } from "../requests/types.js";
import type { VendorMember } from "../vendors/connector.js";

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export const sameRole = (held: RoleRef, wanted: RoleRef) => same(held.id, wanted.id) || same(held.name, wanted.name);

export function holdsRequestedState(member: VendorMember | null, role: RoleRef, teamRoles: TeamRole[] | null): boolean {
  if (!member || !sameRole(member.role, role)) return false;
  if (!teamRoles) return true;
  const held = member.teamRoles ?? [];
  // A null role (a revert's "not in this team") is held when the member is out of the team.
  return teamRoles.every((want) =>
    want.role === null
      ? !held.some((h) => same(h.team, want.team))
      : held.some((h) => same(h.team, want.team) && same(h.role ?? "", want.role!)),
  );
}
