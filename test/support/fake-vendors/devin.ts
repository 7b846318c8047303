// A fake Devin enterprise (API v2): users, organizations with their members' roles, the role
// PATCH of seed 000 and the bulk add POST of seed 001, with FastAPI's error bodies.
import { FakeVendorServer, type Answer, type Received } from "./server.js";

export const DEVIN_KEY = "apk_user_example_fortests";

const DEVIN_ROLES = [
  { role_id: "org_admin", role_name: "Admin", role_type: "org" },
  { role_id: "org_member", role_name: "Member", role_type: "org" },
  { role_id: "enterprise_admin", role_name: "Enterprise Admin", role_type: "enterprise" },
];

const detail = (status: number, text: string): Answer => ({
  status,
  body: { detail: text },
  headers: { "x-request-id": "devin-req-42" },
});
const validation = (loc: (string | number)[], msg: string): Answer => ({
  status: 422,
  body: { detail: [{ loc, msg, type: "missing" }] },
});

export class FakeDevin extends FakeVendorServer {
  readonly users = new Map<string, string>(); // user_id → email
  readonly orgs = new Map<string, Map<string, string>>(); // org_id → user_id → role_id
  /** Items per page of the member search: small, so pagination is exercised. */
  pageSize = 1;
  /** Members per page of an organization's members list at most, whatever limit asks. */
  orgPageSize = 200;

  addUser(userId: string, email: string, memberships: Record<string, string> = {}): void {
    this.users.set(userId, email);
    for (const [org, role] of Object.entries(memberships)) this.org(org).set(userId, role);
  }

  org(id: string): Map<string, string> {
    if (!this.orgs.has(id)) this.orgs.set(id, new Map());
    return this.orgs.get(id)!;
  }

  protected route(r: Received): Answer {
    if (r.headers.authorization !== `Bearer ${DEVIN_KEY}`) return detail(401, "Invalid or missing API key");
    if (r.method === "GET" && r.path === "/v2/enterprise/roles") return { status: 200, body: DEVIN_ROLES };

    if (r.method === "GET" && r.path === "/v2/enterprise/members") {
      const email = r.query.get("email")?.toLowerCase();
      // A prefix search, as such searches often are: the connector must match exactly itself.
      const all = [...this.users]
        .filter(([, e]) => !email || e.toLowerCase().startsWith(email.split("@")[0]!))
        .map(([user_id, e]) => ({ user_id, email: e, name: e, enterprise_role: "member" }));
      const start = Number(r.query.get("cursor") ?? 0);
      const items = all.slice(start, start + this.pageSize);
      const more = start + items.length < all.length;
      return {
        status: 200,
        body: {
          items,
          total: all.length,
          skip: start,
          limit: this.pageSize,
          has_more: more,
          next_cursor: more ? String(start + items.length) : null,
        },
      };
    }

    const orgsOf = /^\/v2\/enterprise\/members\/([^/]+)\/organizations$/.exec(r.path);
    if (r.method === "GET" && orgsOf) {
      if (!this.users.has(orgsOf[1]!)) return detail(404, "User not found");
      const items = [...this.orgs]
        .filter(([, m]) => m.has(orgsOf[1]!))
        .map(([org_id, m]) => ({ org_id, org_name: org_id, org_role: m.get(orgsOf[1]!) }));
      return { status: 200, body: { items, has_more: false, next_cursor: null } };
    }

    const orgMembers = /^\/v2\/enterprise\/organizations\/([^/]+)\/members$/.exec(r.path);
    if (r.method === "GET" && orgMembers) {
      const org = this.orgs.get(orgMembers[1]!);
      if (!org) return detail(404, "Organization not found");
      const limit = Number(r.query.get("limit") ?? 100);
      const skip = Number(r.query.get("skip") ?? 0);
      if (!(limit >= 1 && limit <= 200))
        return validation(["query", "limit"], "Input should be less than or equal to 200");
      const all = [...org];
      const items = all.slice(skip, skip + Math.min(limit, this.orgPageSize)).map(([user_id, role]) => ({
        user_id,
        email: this.users.get(user_id),
        name: this.users.get(user_id),
        org_id: orgMembers[1],
        org_role: role,
        org_role_name: DEVIN_ROLES.find((x) => x.role_id === role)?.role_name,
        enterprise_role: "member",
      }));
      return {
        status: 200,
        body: { items, total: all.length, skip, limit, has_more: skip + items.length < all.length },
      };
    }

    const roles = /^\/v2\/enterprise\/organizations\/([^/]+)\/members\/roles$/.exec(r.path);
    if (r.method === "PATCH" && roles) {
      const body = r.json as { user_ids?: unknown; role_id?: unknown } | null;
      if (!body || !Array.isArray(body.user_ids)) return validation(["body", "user_ids"], "Field required");
      if (typeof body.role_id !== "string") return validation(["body", "role_id"], "Field required");
      if (!DEVIN_ROLES.some((x) => x.role_id === body.role_id && x.role_type === "org"))
        return detail(400, `Role ${body.role_id} is not an organization role`);
      const org = this.orgs.get(roles[1]!);
      if (!org) return detail(404, "Organization not found");
      const missing = (body.user_ids as string[]).filter((u) => !org.has(u));
      if (missing.length) return detail(404, `Users not in organization: ${missing.join(", ")}`);
      for (const u of body.user_ids as string[]) org.set(u, body.role_id);
      return { status: 200, body: { status: "success" } };
    }

    const add = /^\/v2\/enterprise\/organizations\/([^/]+)\/members$/.exec(r.path);
    if (r.method === "POST" && add) {
      const body = r.json as { user_ids?: unknown; org_ids?: unknown; org_role?: unknown } | null;
      if (!body || !Array.isArray(body.user_ids)) return validation(["body", "user_ids"], "Field required");
      if (!Array.isArray(body.org_ids)) return validation(["body", "org_ids"], "Field required");
      const role = (body.org_role as string | null | undefined) ?? "org_member";
      // All or nothing: check everything before changing anything.
      const unknownUser = (body.user_ids as string[]).find((u) => !this.users.has(u));
      if (unknownUser) return detail(404, `User ${unknownUser} not found`);
      const unknownOrg = (body.org_ids as string[]).find((o) => !this.orgs.has(o));
      if (unknownOrg) return detail(404, `Organization ${unknownOrg} not found`);
      for (const o of body.org_ids as string[]) for (const u of body.user_ids as string[]) this.org(o).set(u, role);
      return { status: 200, body: { status: "success" } };
    }
    return detail(404, "Not Found");
  }
}
