// Aitronos: PUT /v1/organizations/{org}/users/{user_id} {role_id}, as Aitronos's API reference
// documents it ("Update Member Role"). Members are found by a fuzzy search, so the email is
// matched exactly here; roles are resolved by name because their ids differ per organization;
// both documented response shapes are accepted.
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
import { changeEachMember, LISTING_PATIENCE_MS, MAX_PAGES, signal, unexpected } from "./connector-support.js";
import { VendorError } from "./errors.js";
import { parseResetDuration, VendorHttp } from "./http.js";
import type { ConnectorContext } from "./registry.js";

const PAGE = 100;

const AitronosRole = z.object({ id: z.string(), name: z.string() });
/** GET …/roles: the bare array, or {roles: […]}. */
const RoleList = z.union([z.array(AitronosRole), z.object({ roles: z.array(AitronosRole) })]);

/**
 * A member in either documented shape: {user_id, role_id, role_name, email}, or
 * {user_id | id: "usr_…", role: {id, name}, email | user: {email}}.
 */
const AitronosMember = z
  .object({
    user_id: z.string().nullish(),
    id: z.unknown().optional(),
    role_id: z.string().nullish(),
    role_name: z.string().nullish(),
    role: z.object({ id: z.string().nullish(), name: z.string().nullish() }).nullish(),
    email: z.string().nullish(),
    user: z.object({ email: z.string().nullish() }).nullish(),
  })
  .transform((item, context): VendorMember => {
    const userId = item.user_id ?? (typeof item.id === "string" && item.id.startsWith("usr_") ? item.id : undefined);
    const roleId = item.role_id ?? item.role?.id;
    if (!userId || !roleId) {
      context.issues.push({ code: "custom", message: "a member has no user_id or role", input: item });
      return z.NEVER;
    }
    return {
      vendorUserId: userId,
      email: item.email ?? item.user?.email ?? null,
      role: { id: roleId, name: item.role_name ?? item.role?.name ?? roleId },
    };
  });

/** GET …/users/{id}: the member itself, or wrapped in {member} or {user}. */
const MemberDetails = z.preprocess(
  (body) =>
    typeof body === "object" && body !== null
      ? ((body as Record<string, unknown>).member ?? (body as Record<string, unknown>).user ?? body)
      : body,
  AitronosMember,
);

/** POST …/users (the search): {members | users: […], total | total_users_count}. */
const MemberSearch = z
  .object({
    members: z.array(AitronosMember).optional(),
    users: z.array(AitronosMember).optional(),
    total: z.number().nullish(),
    total_users_count: z.number().nullish(),
  })
  .refine((page) => page.members ?? page.users, { message: "the member search returned neither members nor users" });

class AitronosConnector implements TargetConnector {
  private readonly http: VendorHttp;

  constructor(
    readonly target: Target,
    context: ConnectorContext,
  ) {
    this.http = new VendorHttp({
      baseUrl: target.baseUrl ?? "https://api.aitronos.com",
      headers: { "x-api-key": context.credential },
      describeError: describeAitronos,
      retryAfter: (headers) => parseResetDuration(headers.get("x-ratelimit-reset-requests")),
      ...(context.dispatcher ? { dispatcher: context.dispatcher } : {}),
    });
  }

  private get org(): string {
    return encodeURIComponent(this.target.organization);
  }

  async listRoles(options?: CallOptions): Promise<VendorRole[]> {
    const { body } = await this.http.call(
      {
        method: "GET",
        path: `/v1/organizations/${this.org}/roles`,
        query: { include_global: "true" },
        ...signal(options),
      },
      RoleList,
    );
    return (Array.isArray(body) ? body : body.roles).map((r) => ({ id: r.id, name: r.name }));
  }

  async checkAccess(options?: CallOptions): Promise<string> {
    const roles = await this.listRoles(options);
    return `${roles.length} roles readable in ${this.target.organization}`;
  }

  /** Its people are its organization's members: the member found by this email. */
  async personIdOf(email: string, options?: CallOptions): Promise<string | null> {
    return (await this.findMember({ ref: email, email, vendorUserId: null }, options))?.vendorUserId ?? null;
  }

  async findMember(member: MemberLookup, options?: CallOptions): Promise<VendorMember | null> {
    if (member.vendorUserId) {
      try {
        const { body } = await this.http.call(
          {
            method: "GET",
            path: `/v1/organizations/${this.org}/users/${encodeURIComponent(member.vendorUserId)}`,
            ...signal(options),
          },
          MemberDetails,
        );
        return body;
      } catch (error) {
        if (error instanceof VendorError && error.kind === "not_found") return null;
        throw error;
      }
    }
    if (!member.email) return null;
    const email = member.email.toLowerCase();
    // Page by what arrived and by the total: a server may send fewer than `take` per page.
    for (let skip = 0, pages = 0; pages < 1_000; pages++) {
      const { body } = await this.http.call(
        {
          method: "POST",
          path: `/v1/organizations/${this.org}/users`,
          body: { skip, take: PAGE, search_term: member.email },
          read: true, // a search: safe to retry
          ...signal(options),
        },
        MemberSearch,
      );
      const items = body.members ?? body.users ?? [];
      const found = items.find((m) => m.email?.toLowerCase() === email);
      if (found) return found;
      const total = body.total ?? body.total_users_count ?? 0;
      skip += items.length;
      if (items.length === 0 || skip >= total) return null;
    }
    return null;
  }

  /** The member search with no term, 100 at a time, until the total (in either shape) is read. */
  async *listMembers(options?: CallOptions): AsyncGenerator<VendorMember[]> {
    let skip = 0;
    for (let page = 0; page < MAX_PAGES; page++) {
      const { body } = await this.http.call(
        {
          method: "POST",
          path: `/v1/organizations/${this.org}/users`,
          body: { skip, take: PAGE },
          read: true,
          patienceMs: LISTING_PATIENCE_MS,
          ...signal(options),
        },
        MemberSearch,
      );
      const items = body.members ?? body.users ?? [];
      yield items;
      skip += items.length;
      const total = body.total ?? body.total_users_count;
      // Without a total, a short page is the last one.
      const more = typeof total === "number" ? skip < total : items.length === PAGE;
      if (!more || items.length === 0) return;
    }
    throw unexpected(`the member list had not ended after ${MAX_PAGES} pages`);
  }

  async setRole(change: RoleChange, options?: CallOptions): Promise<void> {
    // Ids differ per organization: resolve the requested role by name in this one.
    const roles = await this.listRoles(options);
    const role =
      roles.find((r) => r.id === change.role.id) ??
      roles.find((r) => r.name.toLowerCase() === change.role.name.toLowerCase());
    if (!role)
      throw new VendorError({
        kind: "invalid",
        message: `Aitronos organization ${this.target.organization} has no role "${change.role.name}".`,
      });
    await changeEachMember(
      change.members,
      async (member) => {
        if (member.role.name.toLowerCase() === "owner") {
          throw new VendorError({
            kind: "forbidden",
            message: `${member.email ?? member.vendorUserId} owns the Aitronos organization; Aitronos does not allow changing the owner's role.`,
          });
        }
      },
      async (member) => {
        await this.http.call(
          {
            method: "PUT",
            path: `/v1/organizations/${this.org}/users/${encodeURIComponent(member.vendorUserId)}`,
            body: { role_id: role.id },
            ...signal(options),
          },
          z.unknown(), // the executor re-reads rather than trust the answer
        );
      },
    );
  }

  async addToOrganizations(_change: AddToOrganizations): Promise<void> {
    throw new VendorError({
      kind: "invalid",
      message: "Aitronos members cannot be added by rolegate; invite them in Aitronos first.",
    });
  }
}

/** {success: false, error: {code, message, system_message, type, status, trace_id}}. */
function describeAitronos(_status: number, body: unknown) {
  const error = ((body as { error?: unknown } | null)?.error ?? {}) as Record<string, unknown>;
  const message = typeof error.message === "string" ? error.message : typeof body === "string" ? body : undefined;
  const code = typeof error.code === "string" ? error.code : undefined;
  const requestId = typeof error.trace_id === "string" ? error.trace_id : undefined;
  return { ...(message ? { message } : {}), ...(code ? { code } : {}), ...(requestId ? { requestId } : {}) };
}

export function createAitronos(target: Target, context: ConnectorContext): TargetConnector {
  return new AitronosConnector(target, context);
}
