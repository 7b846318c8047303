// Devin enterprise API v2, as its API reference documents it (docs.devinenterprise.com: "Update
// organization member roles", "Add Organization Members"). Org roles only (role_type "org"). A
// set naming several members is ONE bulk PATCH; an add to several organizations of one
// enterprise is ONE POST carrying every org_id. Both set absolute values, so repeating one is
// harmless.
import { z } from "zod";
import type { Target } from "../config/file.js";
import type {
  AddToOrganizations,
  CallOptions,
  MemberLookup,
  RoleChange,
  TargetConnector,
  VendorMember,
  VendorRole,
} from "./connector.js";
import { LISTING_PATIENCE_MS, MAX_PAGES, signal, unexpected } from "./connector-support.js";
import { VendorError } from "./errors.js";
import { VendorHttp } from "./http.js";
import { TtlCache } from "../ttl-cache.js";
import type { ConnectorContext } from "./registry.js";

const ROLES_TTL_MS = 5 * 60_000;

const DevinRole = z.object({ role_id: z.string(), role_name: z.string(), role_type: z.string() });

const DevinUser = z.object({ user_id: z.string(), email: z.string().nullish() });
type DevinUser = z.infer<typeof DevinUser>;

const DevinMembership = z.object({ org_id: z.string(), org_role: z.string(), org_role_name: z.string().nullish() });

/** A member of an organization, as its members list shows them. */
const DevinOrgMember = z.object({
  user_id: z.string(),
  email: z.string().nullish(),
  org_role: z.string(),
  org_role_name: z.string().nullish(),
});

/** GET …/organizations/{org}/members: a page by skip and limit (at most 200). */
const OrgMembersPage = z.object({
  items: z.array(DevinOrgMember),
  total: z.number().nullish(),
  has_more: z.boolean().nullish(),
});
const ORG_MEMBERS_PAGE = 200;

/** A listing: a page with a cursor, or (older deployments) the bare array. */
const listing = <T>(item: z.ZodType<T>) =>
  z.union([
    z.object({ items: z.array(item), has_more: z.boolean().nullish(), next_cursor: z.string().nullish() }),
    z.array(item),
  ]);

class DevinConnector implements TargetConnector {
  private readonly http: VendorHttp;
  private readonly roles = new TtlCache<"org", VendorRole[]>(ROLES_TTL_MS);

  constructor(
    readonly target: Target,
    context: ConnectorContext,
  ) {
    this.http = new VendorHttp({
      baseUrl: target.baseUrl ?? "https://api.devin.ai",
      headers: { authorization: `Bearer ${context.credential}` },
      describeError: describeFastApi,
      ...(context.dispatcher ? { dispatcher: context.dispatcher } : {}),
    });
  }

  /** The enterprise's org roles; enterprise-level roles cannot be given in an organization. */
  listRoles(options?: CallOptions): Promise<VendorRole[]> {
    // Asked before every set or add and on lookups: the answer is kept for a few minutes.
    return this.roles.get("org", async () => {
      const { body } = await this.http.call(
        { method: "GET", path: "/v2/enterprise/roles", ...signal(options) },
        listing(DevinRole),
      );
      const roles = Array.isArray(body) ? body : body.items;
      return roles.filter((r) => r.role_type === "org").map((r) => ({ id: r.role_id, name: r.role_name }));
    });
  }

  async checkAccess(options?: CallOptions): Promise<string> {
    const roles = await this.listRoles(options);
    return `${roles.length} roles readable in ${this.target.organization}`;
  }

  /** The enterprise user with this email: someone about to be added to an organization is not in it yet. */
  async personIdOf(email: string, options?: CallOptions): Promise<string | null> {
    return (await this.enterpriseUser({ ref: email, email, vendorUserId: null }, options))?.user_id ?? null;
  }

  async findMember(member: MemberLookup, options?: CallOptions): Promise<VendorMember | null> {
    const user = await this.enterpriseUser(member, options);
    if (!user) return null;
    const memberships = await this.pages(
      `/v2/enterprise/members/${encodeURIComponent(user.user_id)}/organizations`,
      {},
      DevinMembership,
      options,
    );
    const here = memberships.find((m) => m.org_id === this.target.organization);
    if (!here) return null;
    const roles = await this.listRoles(options).catch(() => []);
    const name = here.org_role_name ?? roles.find((r) => r.id === here.org_role)?.name ?? here.org_role;
    return { vendorUserId: user.user_id, email: user.email ?? null, role: { id: here.org_role, name } };
  }

  /** The organization's members, 200 at a time by skip and limit, until has_more (or the total) says done. */
  async *listMembers(options?: CallOptions): AsyncGenerator<VendorMember[]> {
    let names: Map<string, string> | undefined;
    let skip = 0;
    for (let page = 0; page < MAX_PAGES; page++) {
      const { body } = await this.http.call(
        {
          method: "GET",
          path: `/v2/enterprise/organizations/${encodeURIComponent(this.target.organization)}/members`,
          query: { skip, limit: ORG_MEMBERS_PAGE },
          patienceMs: LISTING_PATIENCE_MS,
          ...signal(options),
        },
        OrgMembersPage,
      );
      if (body.items.some((m) => !m.org_role_name))
        names ??= new Map((await this.listRoles(options)).map((r) => [r.id, r.name]));
      yield body.items.map((m) => ({
        vendorUserId: m.user_id,
        email: m.email ?? null,
        role: { id: m.org_role, name: m.org_role_name ?? names?.get(m.org_role) ?? m.org_role },
      }));
      skip += body.items.length;
      const more = body.has_more ?? (typeof body.total === "number" && skip < body.total);
      if (!more || body.items.length === 0) return;
    }
    throw unexpected(`the members list had not ended after ${MAX_PAGES} pages`);
  }

  async setRole(change: RoleChange, options?: CallOptions): Promise<void> {
    await this.requireOrgRole(change.role, options);
    await this.http.call(
      {
        method: "PATCH",
        path: `/v2/enterprise/organizations/${encodeURIComponent(this.target.organization)}/members/roles`,
        body: { user_ids: change.members.map((m) => m.vendorUserId), role_id: change.role.id },
        ...signal(options),
      },
      z.unknown(), // the executor re-reads rather than trust the answer
    );
  }

  async addToOrganizations(change: AddToOrganizations, options?: CallOptions): Promise<void> {
    await this.requireOrgRole(change.role, options);
    const userIds: string[] = [];
    for (const member of change.members) {
      const user = await this.enterpriseUser({ ref: member.email ?? member.vendorUserId ?? "", ...member }, options);
      if (!user) {
        throw new VendorError({
          kind: "not_found",
          message: `${member.email ?? member.vendorUserId} has no account in this Devin enterprise; nobody was added.`,
        });
      }
      userIds.push(user.user_id);
    }
    const [first] = change.organizations;
    if (!first) throw new VendorError({ kind: "invalid", message: "No organization to add to." });
    await this.http.call(
      {
        method: "POST",
        path: `/v2/enterprise/organizations/${encodeURIComponent(first)}/members`,
        body: { user_ids: userIds, org_ids: change.organizations, org_role: change.role.id },
        ...signal(options),
      },
      z.unknown(), // the executor re-reads rather than trust the answer
    );
  }

  private async requireOrgRole(role: VendorRole, options?: CallOptions): Promise<void> {
    const roles = await this.listRoles(options);
    if (!roles.some((r) => r.id === role.id)) {
      throw new VendorError({
        kind: "invalid",
        message: `${role.name} is not an organization role in Devin; org roles are ${roles.map((r) => r.name).join(", ")}.`,
      });
    }
  }

  private async enterpriseUser(member: MemberLookup, options?: CallOptions): Promise<DevinUser | null> {
    if (member.vendorUserId) return { user_id: member.vendorUserId, email: member.email };
    if (!member.email) return null;
    const email = member.email.toLowerCase();
    const users = await this.pages("/v2/enterprise/members", { email }, DevinUser, options);
    return users.find((u) => typeof u.email === "string" && u.email.toLowerCase() === email) ?? null;
  }

  /** Every item of a listing, following next_cursor while has_more says so. */
  private async pages<T>(
    path: string,
    query: Record<string, string>,
    item: z.ZodType<T>,
    options?: CallOptions,
  ): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 1_000; page++) {
      const { body } = await this.http.call(
        { method: "GET", path, query: { ...query, cursor }, ...signal(options) },
        listing(item),
      );
      items.push(...(Array.isArray(body) ? body : body.items));
      if (Array.isArray(body) || !body.has_more || !body.next_cursor) return items;
      cursor = body.next_cursor;
    }
    return items;
  }
}

/** FastAPI: {detail: "…"} or, for 422, {detail: [{loc, msg, type}]}. */
function describeFastApi(_status: number, body: unknown, headers: Headers) {
  const detail = (body as { detail?: unknown } | null)?.detail;
  let message: string | undefined;
  let code: string | undefined;
  if (typeof detail === "string") message = detail;
  else if (Array.isArray(detail)) {
    message = detail
      .map(
        (d: { loc?: unknown[]; msg?: string }) =>
          `${Array.isArray(d.loc) ? d.loc.join(".") + ": " : ""}${d.msg ?? "invalid"}`,
      )
      .join("; ");
    code = (detail[0] as { type?: string } | undefined)?.type;
  } else if (typeof body === "string") message = body;
  const requestId = headers.get("x-request-id") ?? undefined;
  return { ...(message ? { message } : {}), ...(code ? { code } : {}), ...(requestId ? { requestId } : {}) };
}

export function createDevin(target: Target, context: ConnectorContext): TargetConnector {
  return new DevinConnector(target, context);
}
