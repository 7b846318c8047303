// The one interface the executor and the approval card use to reach a vendor. A connector is
// bound to one target: its vendor, organization, base URL and credential. Every method may throw
// VendorError; anything else thrown is a bug or a fault the executor reports as such.
import type { Target } from "../config/file.js";
import type { RoleRef, TeamRole } from "./roles.js";

export type VendorRole = RoleRef;

/** How a request names a member: by email, by vendor id, or both once resolved. */
export interface MemberLookup {
  ref: string;
  email: string | null;
  vendorUserId: string | null;
}

export interface VendorMember {
  vendorUserId: string;
  email: string | null;
  /** The member's role in this target's organization. */
  role: VendorRole;
  /** Sentry only: the member's team roles (absent when the vendor's answer did not say). */
  teamRoles?: TeamRole[];
}

export interface CallOptions {
  /** Aborted when the caller must stop (for the executor: before its lease ends). */
  signal?: AbortSignal;
}

export interface RoleChange {
  members: VendorMember[];
  role: VendorRole;
  /** Sentry only: team roles to set; null keeps the members' current ones. */
  teamRoles: TeamRole[] | null;
}

export interface AddToOrganizations {
  members: Pick<MemberLookup, "email" | "vendorUserId">[];
  /** The vendor's organization ids, this target's first. */
  organizations: string[];
  role: VendorRole;
}

export interface TargetConnector {
  readonly target: Target;
  /** One read-only call that uses the credential; says what it saw. For `npm run doctor`. */
  checkAccess(options?: CallOptions): Promise<string>;
  listRoles(options?: CallOptions): Promise<VendorRole[]>;
  /** The member as they are now in this target's organization; null when not a member. */
  findMember(member: MemberLookup, options?: CallOptions): Promise<VendorMember | null>;
  /**
   * The vendor's id for the person with this email, at the level the vendor knows people —
   * Devin's enterprise user, whether or not they belong to this organization; the others'
   * organization member — or null when the vendor knows nobody by that email. It is compared
   * with a request's member ids: "not a member of this organization" is not "not this person".
   */
  personIdOf(email: string, options?: CallOptions): Promise<string | null>;
  /**
   * Every member of this target's organization, a page at a time as the vendor lists them, at
   * the largest page the vendor allows. Waits out a rate limit's Retry-After (a minute at most);
   * a page that cannot be read throws, and the pages yielded before it stand: the caller knows
   * the listing is incomplete and where it stopped.
   */
  listMembers(options?: CallOptions): AsyncGenerator<VendorMember[]>;
  /** Sets an absolute role: repeating the same change leaves the same state. */
  setRole(change: RoleChange, options?: CallOptions): Promise<void>;
  /** Adds members (or overwrites their role) in one or more organizations. */
  addToOrganizations(change: AddToOrganizations, options?: CallOptions): Promise<void>;
}

export interface ConnectorRegistry {
  forTarget(name: string): TargetConnector;
}
