// What the rest of rolegate needs to know about a vendor beyond its connector's calls, in one
// small descriptor per vendor, so that no other layer tests \`vendor === "sentry"\`.
import type { VendorName } from "../config/file.js";

export interface VendorTraits {
  /** The vendor's name as people write it. */
  displayName: string;
  /**
   * Whether one call adds people to several organizations (`/role add`), and what those
   * organizations must share for it (Devin: one enterprise); null when the vendor cannot.
   */
  addsToOrganizations: { within: string } | null;
  /** The credential a target's tokenEnv must hold, for the doctor's advice. */
  credential: string;
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
    displayName: "Sentry",
    addsToOrganizations: null,
    credential:
      "a Sentry user auth token with the member:admin scope (organization and integration tokens cannot change roles)",
    teamRoles: ["contributor", "admin"],
    notAMemberHint: null,
    cardNote: null,
    roleLadder: [["member"], ["admin"], ["manager"], ["owner"]],
    teamRoleLadder: ["contributor", "admin"],
  },
  devin: {
    displayName: "Devin",
    addsToOrganizations: { within: "enterprise" },
    credential: "an enterprise admin personal API key (apk_user_…)",
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
    displayName: "Dolfin",
    addsToOrganizations: null,
    credential: "the organisation's Dolfin API key, of an Admin or Owner",
    teamRoles: [],
    notAMemberHint: null,
    cardNote: null,
    roleLadder: [["member"], ["admin"], ["owner"]],
    teamRoleLadder: [],
  },
  aitronos: {
    displayName: "Aitronos",
    addsToOrganizations: null,
    credential: "an Aitronos API key of an Admin or Owner of the organization",
    teamRoles: [],
    notAMemberHint: null,
    cardNote: null,
    roleLadder: [["member"], ["admin"], ["owner"]],
    teamRoleLadder: [],
  },
};

export const traitsOf = (vendor: VendorName): VendorTraits => TRAITS[vendor];

/** "Devin": the vendors whose targets `/role add` works for, as people write them. */
export const vendorsThatAdd = (): string =>
  Object.values(TRAITS)
    .filter((t) => t.addsToOrganizations)
    .map((t) => t.displayName)
    .join(", ");
