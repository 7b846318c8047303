// A fake Aitronos organization: a fuzzy member search in either documented shape, roles whose
// ids are this organization's own, and the member PUT of seed 002 with Aitronos's error bodies.
import { FakeVendorServer, type Answer, type Received } from "./server.js";

export const AITRONOS_KEY = "ait-key-for-tests-0001";

interface Member {
  id: string; // orgusr_…
  user_id: string; // usr_…
  email: string;
  role_id: string;
}

const failure = (status: number, code: string, message: string): Answer => ({
  status,
  body: {
    success: false,
    error: {
      code,
      message,
      system_message: message,
      type: "error",
      status,
      details: {},
      trace_id: "req_trace_77",
      timestamp: "2026-11-22T10:00:00Z",
    },
  },
});

export class FakeAitronos extends FakeVendorServer {
  readonly roles = [
    { id: "role_owner_9f", name: "Owner" },
    { id: "role_admin_9f", name: "Admin" },
    { id: "role_member_9f", name: "Member" },
    { id: "role_dm_9f", name: "Department Manager" },
  ];
  readonly members = new Map<string, Member>();
  /** "members": {members:[{role_id, role_name}], total}; "users": {users:[{role:{id,name}}], total_users_count}. */
  shape: "members" | "users" = "members";
  pageSize = 100;

  constructor(readonly orgId: string) {
    super();
  }

  addMember(userId: string, email: string, roleName: string): void {
    const role = this.roles.find((r) => r.name === roleName)!;
    this.members.set(userId, { id: `orgusr_${userId.slice(4)}`, user_id: userId, email, role_id: role.id });
  }

  protected override isReadPost(r: Received): boolean {
    return r.method === "POST" && r.path.endsWith("/users");
  }

  private view(m: Member) {
    const role = this.roles.find((r) => r.id === m.role_id)!;
    return this.shape === "members"
      ? { id: m.id, user_id: m.user_id, email: m.email, role_id: role.id, role_name: role.name }
      : { id: m.id, user_id: m.user_id, email: m.email, full_name: m.email, role: { id: role.id, name: role.name } };
  }

  protected route(r: Received): Answer {
    if (r.headers["x-api-key"] !== AITRONOS_KEY)
      return failure(401, "AUTHENTICATION_REQUIRED", "A valid API key is required");
    const base = `/v1/organizations/${this.orgId}`;
    if (!r.path.startsWith(base)) return failure(404, "ORGANIZATION_NOT_FOUND", "Organization not found");
    const rest = r.path.slice(base.length);

    if (r.method === "GET" && rest === "/roles") {
      if (r.query.get("include_global") !== "true") return { status: 200, body: { roles: this.roles.slice(3) } };
      return { status: 200, body: this.shape === "members" ? this.roles : { roles: this.roles } };
    }
    if (r.method === "POST" && rest === "/users") {
      const body = (r.json ?? {}) as { skip?: number; take?: number; search_term?: string };
      if ((body.take ?? 0) > 100) return failure(422, "VALIDATION_ERROR", "take must be at most 100");
      const term = (body.search_term ?? "").toLowerCase().split("@")[0]!;
      // Fuzzy, as documented: a part of the name matches.
      const found = [...this.members.values()].filter((m) => m.email.toLowerCase().includes(term.slice(0, 3)));
      const page = found
        .slice(body.skip ?? 0, (body.skip ?? 0) + Math.min(body.take ?? 20, this.pageSize))
        .map((m) => this.view(m));
      return {
        status: 200,
        body:
          this.shape === "members"
            ? { members: page, total: found.length }
            : { users: page, total_users_count: found.length },
      };
    }
    const one = /^\/users\/([^/]+)$/.exec(rest);
    if (one && r.method === "GET") {
      const m = this.members.get(one[1]!);
      return m ? { status: 200, body: this.view(m) } : failure(404, "MEMBER_NOT_FOUND", "Member not found");
    }
    if (one && r.method === "PUT") {
      const body = (r.json ?? {}) as Record<string, unknown>;
      const keys = Object.keys(body);
      if (keys.length === 0 || keys.some((k) => k !== "role_id" && k !== "status_id"))
        return failure(422, "VALIDATION_ERROR", "Provide role_id and/or status_id");
      const m = this.members.get(one[1]!);
      if (!m) return failure(404, "MEMBER_NOT_FOUND", "Member not found");
      const role = this.roles.find((x) => x.id === body.role_id);
      if (!role) return failure(400, "INVALID_ROLE", "Role not found in this organization");
      if (m.role_id === "role_owner_9f")
        return failure(403, "CANNOT_MODIFY_OWNER", "The organization owner's role cannot be changed");
      m.role_id = role.id;
      return {
        status: 200,
        body: {
          success: true,
          message: "Member role updated successfully",
          id: m.id,
          user_id: m.user_id,
          role_id: role.id,
          role_name: role.name,
        },
      };
    }
    return failure(404, "NOT_FOUND", "Not found");
  }
}
