// What the vendor shows now against what approvers saw: the executor re-reads every member right
// before calling, and changes only what is as approved. A member moved since the card was read
// (someone changed the role at the vendor meanwhile) is not overwritten; a member already in the
// requested state needs no call. Pure: the executor reads, these decide.
import { isUnknownRole, roleWhenFiledIn, targetsOf, type RoleRequest } from "../requests/types.js";
import type { VendorMember } from "../vendors/connector.js";
import { holdsRequestedState, sameRole } from "./in-place.js";

type Member = RoleRequest["members"][number];

/** The member holds the requested state in every organization the request touches. */
export function inPlace(request: RoleRequest, found: readonly (VendorMember | null)[]): boolean {
  return found.every((m) => holdsRequestedState(m, request.requestedRole, request.teamRoles));
}

/**
 * Where a member's role is neither what the card showed when approvers decided nor already the
 * requested one: one sentence per target, for the card. A role never read counts as moved.
 */
export function movedSinceFiling(
  request: RoleRequest,
  member: Member,
  found: readonly (VendorMember | null)[],
): { position: number; sentence: string }[] {
  const targets = targetsOf(request);
  return targets.flatMap((target, i) => {
    const now = found[i] ?? null;
    if (now && sameRole(now.role, request.requestedRole)) return [];
    const filed = roleWhenFiledIn(request, member, target);
    const unchanged = isUnknownRole(filed)
      ? false
      : filed === null
        ? now === null
        : now !== null && sameRole(now.role, { id: filed, name: filed });
    if (unchanged) return [];
    const where = targets.length > 1 ? ` in ${target}` : "";
    const is = `${member.ref} is ${now ? now.role.name : "no longer a member"}${where} now`;
    const sentence =
      filed === null
        ? `${is}, though approvers saw no membership there`
        : isUnknownRole(filed)
          ? `${is}, and approvers never saw a known role`
          : `${is}, not ${filed} as approved`;
    return [{ position: member.position, sentence }];
  });
}

/**
 * A member in place because an earlier attempt of ours changed it (its outcome was never
 * recorded): the first reading, kept before any call, shows another role.
 */
export function changedEarlier(member: Member, request: RoleRequest): boolean {
  return (
    member.previousRole !== null &&
    !sameRole({ id: member.previousRole, name: member.previousRole }, request.requestedRole)
  );
}
