// A fake Sentry organization: members with org and team roles, the token's own membership
// ("me"), email search with Link-header cursors, and the member PUT of seed 004 enforcing
// Sentry's rules with Django REST Framework's error bodies — including the hazard that a PUT
// without teamRoles clears the member's teams.
import { FakeVendorServer, type Answer, type Received } from "./server.js";

export const SENTRY_TOKEN = "sntryu_fortests0001";
const RANK: Record<string, number> = { member: 0, billing: 0, admin: 1, manager: 2, owner: 3 };
const ROLES = [
  { id: "member", name: "Member", isRetired: false },
  { id: "admin", name: "Admin", isRetired: false },
  { id: "manager", name: "Manager", isRetired: false },
  { id: "owner", name: "Owner", isRetired: false },
  { id: "billing", name: "Billing", isRetired: false },
];

interface Member {
  id: string;
  email: string;
  orgRole: string;
  teamRoles: { teamSlug: string; role: string | null }[];
  flags: Record<string, boolean>;
  /** An invitation not yet accepted. */
  pending: boolean;
}

export class FakeSentry extends FakeVendorServer {
  readonly members = new Map<string, Member>();
  /** The member whose user auth token rolegate holds. */
  tokenOwner = "1";
  /** Rights the token acts with, when not its member's role (a superuser's token, say). */
  callerRole: string | undefined;
  /** Members per page at most, whatever per_page asks: small, so searches cross pages. */
  pageSize = 1;

  constructor(readonly org: string) {
    super();
  }

  addMember(
    id: string,
    email: string,
    orgRole: string,
    extra: Partial<Pick<Member, "teamRoles" | "flags" | "pending">> = {},
  ): void {
    this.members.set(id, {
      id,
      email,
      orgRole,
      pending: extra.pending ?? false,
      teamRoles: extra.teamRoles ?? [],
      flags: {
        "idp:provisioned": false,
        "idp:role-restricted": false,
        "partnership:restricted": false,
        ...extra.flags,
      },
    });
  }

  private details(m: Member) {
    const callerRank = RANK[this.callerRole ?? this.members.get(this.tokenOwner)!.orgRole]!;
    const owners = [...this.members.values()].filter((x) => x.orgRole === "owner").length;
    return {
      id: m.id,
      email: m.email,
      orgRole: m.orgRole,
      pending: false,
      flags: m.flags,
      teamRoles: m.teamRoles,
      isOnlyOwner: m.orgRole === "owner" && owners === 1,
      orgRoleList: ROLES.map((r) => ({ ...r, isAllowed: RANK[r.id]! <= callerRank })),
    };
  }

  protected route(r: Received): Answer {
    if (r.headers.authorization !== `Bearer ${SENTRY_TOKEN}`) return { status: 401, body: { detail: "Invalid token" } };
    const base = `/api/0/organizations/${this.org}/members/`;
    if (!r.path.startsWith(base)) return { status: 404, body: { detail: "The requested resource does not exist" } };
    const rest = r.path.slice(base.length);

    if (r.method === "GET" && rest === "") {
      const query = r.query.get("query") ?? "";
      const email = /^email:(.+)$/.exec(query)?.[1]?.toLowerCase();
      const all = [...this.members.values()].filter(
        (m) => !email || m.email.toLowerCase() === email || (this.pageSize === 1 && m.email.includes("example")),
      );
      const offset = Number((r.query.get("cursor") ?? "0:0:0").split(":")[1]);
      const perPage = Number(r.query.get("per_page") ?? 100);
      if (!(perPage >= 1 && perPage <= 100)) return { status: 400, body: { detail: "Invalid per_page parameter." } };
      const page = all.slice(offset, offset + Math.min(perPage, this.pageSize));
      const more = offset + page.length < all.length;
      const next = `0:${offset + page.length}:0`;
      return {
        status: 200,
        headers: {
          link: `<${this.origin}${base}?cursor=0:0:1>; rel="previous"; results="false"; cursor="0:0:1", <${this.origin}${base}?cursor=${next}>; rel="next"; results="${more}"; cursor="${next}"`,
        },
        body: page.map((m) => ({
          id: m.id,
          email: m.email,
          orgRole: m.orgRole,
          roleName: ROLES.find((x) => x.id === m.orgRole)!.name,
          pending: m.pending,
          flags: m.flags,
          teamRoles: m.teamRoles,
        })),
      };
    }

    const one = /^([^/]+)\/$/.exec(rest); // Sentry's paths end with a slash
    if (!one) return { status: 404, body: { detail: "The requested resource does not exist" } };
    const id = one[1] === "me" ? this.tokenOwner : one[1]!;
    const member = this.members.get(id);
    if (!member) return { status: 404, body: { detail: "The requested resource does not exist" } };
    if (r.method === "GET") return { status: 200, body: this.details(member) };

    if (r.method === "PUT") {
      const body = (r.json ?? {}) as { orgRole?: string; teamRoles?: { teamSlug: string; role: string | null }[] };
      if (id === this.tokenOwner) return { status: 400, body: { detail: "You cannot make changes to your own role." } };
      if (member.flags["partnership:restricted"])
        return {
          status: 403,
          body: {
            detail:
              "This member is managed by an active partnership and cannot be modified until the end of the partnership.",
          },
        };
      if (member.flags["idp:role-restricted"])
        return {
          status: 403,
          body: { detail: "This user's org-role is managed through your organization's identity provider." },
        };
      if (body.orgRole !== undefined) {
        if (!(body.orgRole in RANK)) return { status: 400, body: { orgRole: ["Invalid role"] } };
        const caller = RANK[this.callerRole ?? this.members.get(this.tokenOwner)!.orgRole]!;
        if (RANK[body.orgRole]! > caller || RANK[member.orgRole]! > caller)
          return { status: 400, body: { orgRole: ["You do not have permission to set that org-level role"] } };
        if (this.details(member).isOnlyOwner && body.orgRole !== "owner")
          return { status: 403, body: { detail: "You cannot demote the last owner of the organization." } };
        member.orgRole = body.orgRole;
      }
      // The hazard VENDORS.md warns of: without teamRoles, the member's teams are cleared.
      member.teamRoles = body.teamRoles ?? [];
      return { status: 200, body: this.details(member) };
    }
    return { status: 405, body: { detail: `Method "${r.method}" not allowed.` } };
  }
}
