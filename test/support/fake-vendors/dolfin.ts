// A fake Dolfin: the users of one organisation, the role PATCH of seed 003 with its documented
// problem+json errors, and the paginated users list of VENDORS.md.
import { FakeVendorServer, type Answer, type Received } from "./server.js";

export const DOLFIN_KEY = "dolfin-api-key-for-tests";
const ROLES = ["Member", "Admin", "Owner"];

interface User {
  id: string;
  email: string;
  name: string;
  role: string;
}

const problem = (status: number, code: string, detail: string): Answer => ({
  status,
  headers: { "content-type": "application/problem+json" },
  body: { type: `https://api.dolfinai.co/errors/${code}`, title: code, status, detail, traceId: "00-trace-dolfin-01" },
});

export class FakeDolfin extends FakeVendorServer {
  readonly users = new Map<string, User>();
  /** Users per page, whatever Limit asks: small, so every test crosses pages. */
  pageSize = 2;
  callerIsAdmin = true;

  constructor(readonly organisationId: string) {
    super();
  }

  addUser(id: string, email: string, role: string): void {
    this.users.set(id, { id, email, name: email.split("@")[0]!, role });
  }

  protected route(r: Received): Answer {
    if (r.headers["x-dolfin-api-key"] !== DOLFIN_KEY)
      return problem(401, "Auth.InvalidApiKey", "The API key is missing or invalid.");
    const list = /^\/organisations\/([^/]+)\/users$/.exec(r.path);
    if (r.method === "GET" && list) {
      if (list[1] !== this.organisationId) return problem(403, "User.Forbidden", "Not a member of that organisation.");
      const email = r.query.get("Email")?.toLowerCase();
      // One pass, copying only the matches: the soak's Dolfin holds 10,000 users.
      const all: User[] = [];
      for (const u of this.users.values()) if (!email || u.email.toLowerCase() === email) all.push(u);
      const start = Number(r.query.get("Cursor") ?? 0);
      const page = all.slice(start, start + Math.min(this.pageSize, Number(r.query.get("Limit") ?? 50)));
      const next = start + page.length;
      return {
        status: 200,
        body: { data: page, nextCursor: next < all.length ? String(next) : null, hasMore: next < all.length },
      };
    }
    const patch = /^\/users\/([^/]+)\/role$/.exec(r.path);
    if (r.method === "PATCH" && patch) {
      // The PATCH acts on "the caller's active organisation": without the header there is none.
      if (r.headers["x-dolfin-organisation-id"] !== this.organisationId)
        return problem(400, "User.MissingOrganisation", "x-dolfin-organisation-id is required.");
      if (!this.callerIsAdmin)
        return problem(403, "User.Forbidden", "Caller is not Admin or Owner of this organisation.");
      const body = r.json as { role?: unknown } | null;
      if (!body || body.role === null || body.role === undefined)
        return problem(400, "User.MissingRole", "Role is required.");
      const role = typeof body.role === "string" ? body.role : JSON.stringify(body.role);
      if (Object.keys(body).length !== 1 || !ROLES.includes(role))
        return problem(400, "Validation", `Unknown role ${role}.`);
      const user = this.users.get(patch[1]!);
      if (!user) return problem(404, "User.NotInOrganisation", "User is not a member of this organisation.");
      const owners = [...this.users.values()].filter((u) => u.role === "Owner").length;
      if (user.role === "Owner" && role !== "Owner" && owners <= 1)
        return problem(409, "User.LastOwner", "Cannot demote the last Owner of the organisation.");
      user.role = role;
      return {
        status: 200,
        body: { role: user.role, id: user.id, email: user.email, name: user.name, createdAt: "2026-01-01T00:00:00Z" },
      };
    }
    return problem(404, "NotFound", `No route ${r.method} ${r.path}`);
  }
}
