// What the rest of rolegate needs to know about a vendor beyond its connector's calls, in one
// small descriptor per vendor, so that no other layer tests \`vendor === "sentry"\`.
import type { VendorName } from "../config/file.js";

export interface VendorTraits {
  /** Roles within a team a request may also set (Sentry's team roles); empty: none. */
  teamRoles: readonly string[];
  /** Said when someone is not a member and `/role set` cannot help (Devin adds with /role add). */
  notAMemberHint: string | null;
  /** A note approvers should read on every card of this vendor. */
  cardNote: string | null;
  /**
   * The vendor's built-in roles from least to most access, each by its ids and names in lower
   * case. A role on no rung (a custom role, Sentry's billing) cannot be compared: a check that
   * needs to know whether a change raises someone's access then fails closed.
   */
  roleLadder: readonly (readonly string[])[];
  /** Team roles from least to most access (Sentry's contributor, admin). */
  teamRoleLadder: readonly string[];
}

const TRAITS: Record<VendorName, VendorTraits> = {
  sentry: {
    teamRoles: ["contributor", "admin"],
    notAMemberHint: null,
    cardNote: null,
    roleLadder: [["member"], ["admin"], ["manager"], ["owner"]],
    teamRoleLadder: ["contributor", "admin"],
  },
  devin: {
    teamRoles: [],
    notAMemberHint: "To add someone to a Devin organization, use /role add.",
    // Devin's docs do not say whether its role PATCH touches roles inherited from identity-
    // provider groups; approvers should know a group may still grant the old role.
    cardNote:
      "ℹ️ Devin does not change a role a member inherits from an identity-provider group; if the change does not show, check the member's groups.",
    roleLadder: [
      ["org_member", "member", "org member"],
      ["org_admin", "admin", "org admin"],
    ],
    teamRoleLadder: [],
  },
  dolfin: {
    teamRoles: [],
    notAMemberHint: null,
    cardNote: null,
    roleLadder: [["member"], ["admin"], ["owner"]],
    teamRoleLadder: [],
  },
  aitronos: {
    teamRoles: [],
    notAMemberHint: null,
    cardNote: null,
    roleLadder: [["member"], ["admin"], ["owner"]],
    teamRoleLadder: [],
  },
};

export const traitsOf = (vendor: VendorName): VendorTraits => TRAITS[vendor];
