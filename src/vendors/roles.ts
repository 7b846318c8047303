// How rolegate names a vendor's roles: by the vendor's id and its name for people, and — for
// Sentry — a role within a team. Owned by the vendor layer; requests use the same shapes.

export interface RoleRef {
  id: string;
  name: string;
}

export interface TeamRole {
  team: string;
  /**
   * The role in the team. null only in a revert: the member was not in this team before the
   * grant put them there, so taking the grant back takes them out of it.
   */
  role: string | null;
}
