// Sentry: PUT /api/0/organizations/{org}/members/{member_id}/ {orgRole, teamRoles}, as Sentry's
// API reference documents it ("Update an Organization Member's Roles", docs.sentry.io/api/).
// Sentry's own rules are checked first, so a refusal reads as a sentence rather than a 400:
// nobody changes their own role; the token's user may assign only the roles orgRoleList marks
// isAllowed (which also bounds whose role it may change); members managed by the identity
// provider or restricted by a partnership are not ours to change; the only Owner stays Owner.
// A PUT without teamRoles may clear the member's teams, so the current ones are always sent.
import { z } from "zod";
import type { Target } from "../config/file.js";
import type { TeamRole } from "./roles.js";
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
import { VendorHttp } from "./http.js";
import type { ConnectorContext } from "./registry.js";

const SentryRole = z.object({
  id: z.string(),
  name: z.string(),
  isAllowed: z.boolean().optional(),
  isRetired: z.boolean().optional(),
});
type SentryRole = z.infer<typeof SentryRole>;

/** A member as the members list and a member's details show it (orgRoleList: details only). */
const SentryMember = z.object({
  id: z.string(),
  email: z.string().nullish(),
  orgRole: z.string(),
  roleName: z.string().nullish(),
  pending: z.boolean().nullish(),
  flags: z.record(z.string(), z.unknown()).nullish(),
  teamRoles: z.array(z.object({ teamSlug: z.string(), role: z.string().nullable() })).nullish(),
  isOnlyOwner: z.boolean().nullish(),
  orgRoleList: z.array(SentryRole).nullish(),
});
type SentryMember = z.infer<typeof SentryMember>;

/** Sentry's largest page of members (its paginator's max per_page). */
const PAGE_SIZE = 100;

const MANAGED_FLAGS: [flag: string, why: string][] = [
  ["idp:provisioned", "is provisioned by your identity provider (SCIM)"],
  ["idp:role-restricted", "has a role managed by your identity provider"],
  ["partnership:restricted", "is restricted by a Sentry partnership"],
];

class SentryConnector implements TargetConnector {
  private readonly http: VendorHttp;

  constructor(
    readonly target: Target,
    context: ConnectorContext,
  ) {
    this.http = new VendorHttp({
      baseUrl: target.baseUrl ?? "https://sentry.io",
      headers: { authorization: `Bearer ${context.credential}` },
      describeError: describeDrf,
      // Sentry sends no Retry-After: it says when the window resets, in epoch seconds.
      retryAfter: (headers, now) => {
        const reset = Number(headers.get("x-sentry-rate-limit-reset"));
        return Number.isFinite(reset) && reset > 0 ? Math.max(0, reset * 1000 - now) : undefined;
      },
      ...(context.dispatcher ? { dispatcher: context.dispatcher } : {}),
    });
  }

  private path(rest: string): string {
    return `/api/0/organizations/${encodeURIComponent(this.target.organization)}/${rest}`;
  }

  /** The roles of this organization, from the token user's own membership. */
  async listRoles(options?: CallOptions): Promise<VendorRole[]> {
    const me = await this.me(options);
    return roleList(me)
      .filter((r) => !r.isRetired)
      .map((r) => ({ id: r.id, name: r.name }));
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
    let id = member.vendorUserId;
    if (!id) {
      if (!member.email) return null;
      const email = member.email.toLowerCase();
      const found = await this.search(`email:${member.email}`, (m) => m.email?.toLowerCase() === email, options);
      if (!found) return null;
      id = found.id;
    }
    const details = await this.details(id, options);
    return details ? toMember(details) : null;
  }

  /**
   * The members list, a page of 100 at a time by its Link cursors. Invitations not yet accepted
   * (pending) are left out: nobody holds their role until they join. The list names each role
   * (roleName); where it does not, the names come from one read of the roles.
   */
  async *listMembers(options?: CallOptions): AsyncGenerator<VendorMember[]> {
    let names: Map<string, string> | undefined;
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const { body, headers } = await this.http.call(
        {
          method: "GET",
          path: this.path("members/"),
          query: { per_page: PAGE_SIZE, cursor },
          patienceMs: LISTING_PATIENCE_MS,
          ...signal(options),
        },
        z.array(SentryMember),
      );
      const joined = body.filter((m) => m.pending !== true);
      if (joined.some((m) => !m.roleName))
        names ??= new Map((await this.listRoles(options)).map((r) => [r.id, r.name]));
      yield joined.map((m) => ({
        vendorUserId: m.id,
        email: m.email ?? null,
        role: { id: m.orgRole, name: m.roleName ?? names?.get(m.orgRole) ?? m.orgRole },
        ...(m.teamRoles
          ? { teamRoles: m.teamRoles.map((t) => ({ team: t.teamSlug, role: t.role ?? "contributor" })) }
          : {}),
      }));
      cursor = nextCursor(headers.get("link"));
      if (!cursor) return;
    }
    throw unexpected(`the members list had not ended after ${MAX_PAGES} pages`);
  }

  async setRole(change: RoleChange, options?: CallOptions): Promise<void> {
    const me = await this.me(options);
    await changeEachMember(
      change.members,
      async (member) => {
        // Read afresh: the checks need isOnlyOwner, orgRoleList and flags as they are now.
        const details = await this.details(member.vendorUserId, options);
        if (!details)
          throw new VendorError({
            kind: "not_found",
            message: `${member.email ?? member.vendorUserId} is not a member of ${this.target.organization}.`,
          });
        this.refuseIfNotAllowed(details, me, change.role.id);
        return details;
      },
      async (_member, details) => {
        await this.http.call(
          {
            method: "PUT",
            path: this.path(`members/${encodeURIComponent(details.id)}/`),
            body: { orgRole: change.role.id, teamRoles: teamRolesFor(change.teamRoles, details) },
            ...signal(options),
          },
          z.unknown(), // the member as changed; the executor re-reads rather than trust it
        );
      },
    );
  }

  async addToOrganizations(_change: AddToOrganizations): Promise<void> {
    throw new VendorError({
      kind: "invalid",
      message: "Sentry members are invited in Sentry; rolegate changes the roles of existing members.",
    });
  }

  private refuseIfNotAllowed(member: SentryMember, me: SentryMember, wanted: string): void {
    const who = member.email || member.id;
    const refuse = (kind: "forbidden" | "conflict" | "invalid", message: string) => new VendorError({ kind, message });
    if (member.id === me.id)
      throw refuse(
        "forbidden",
        `${who} is the user of rolegate's Sentry token; nobody can change their own role in Sentry.`,
      );
    for (const [flag, why] of MANAGED_FLAGS) {
      if (member.flags?.[flag]) throw refuse("forbidden", `${who} ${why}; change the role there.`);
    }
    const roles = roleList(member);
    const target = roles.find((r) => r.id === wanted);
    if (!target) throw refuse("invalid", `Sentry organization ${this.target.organization} has no role "${wanted}".`);
    if (target.isRetired)
      throw refuse(
        "invalid",
        `The ${target.name} role is retired in Sentry and can no longer be given; use team roles instead.`,
      );
    if (target.isAllowed === false)
      throw refuse(
        "forbidden",
        `rolegate's Sentry token may not give the ${target.name} role: its user's role is below it.`,
      );
    const current = roles.find((r) => r.id === member.orgRole);
    if (current && current.isAllowed === false) {
      throw refuse(
        "forbidden",
        `rolegate's Sentry token may not change ${who}'s role: ${current.name} is above its user's role.`,
      );
    }
    if (member.isOnlyOwner && wanted !== member.orgRole) {
      throw refuse(
        "conflict",
        `${who} is the only Owner of ${this.target.organization}; make someone else Owner first.`,
      );
    }
  }

  private async me(options?: CallOptions): Promise<SentryMember> {
    const me = await this.details("me", options);
    if (!me)
      throw new VendorError({
        kind: "forbidden",
        message:
          "rolegate's Sentry token does not belong to a member of the organization; use a user auth token with member:admin.",
      });
    return me;
  }

  private async details(id: string, options?: CallOptions): Promise<SentryMember | null> {
    try {
      const { body } = await this.http.call(
        { method: "GET", path: this.path(`members/${encodeURIComponent(id)}/`), ...signal(options) },
        SentryMember,
      );
      return body;
    } catch (error) {
      if (error instanceof VendorError && error.kind === "not_found") return null;
      throw error;
    }
  }

  /** Searches members, following the Link header's next cursor while it says results="true". */
  private async search(
    query: string,
    match: (m: SentryMember) => boolean,
    options?: CallOptions,
  ): Promise<SentryMember | null> {
    let cursor: string | undefined;
    for (let page = 0; page < 1_000; page++) {
      const { body, headers } = await this.http.call(
        { method: "GET", path: this.path("members/"), query: { query, cursor }, ...signal(options) },
        z.array(SentryMember),
      );
      const found = body.find(match);
      if (found) return found;
      cursor = nextCursor(headers.get("link"));
      if (!cursor) return null;
    }
    return null;
  }
}

function roleList(member: SentryMember): SentryRole[] {
  if (!Array.isArray(member.orgRoleList)) throw unexpected("the member has no orgRoleList");
  return member.orgRoleList;
}

function toMember(details: SentryMember): VendorMember {
  const name = details.orgRoleList?.find((r) => r.id === details.orgRole)?.name ?? details.orgRole;
  return {
    vendorUserId: details.id,
    email: details.email ?? null,
    role: { id: details.orgRole, name },
    teamRoles: (details.teamRoles ?? []).map((t) => ({ team: t.teamSlug, role: t.role ?? "contributor" })),
  };
}

/**
 * The member's current team roles, with the requested ones put over them. The PUT's teamRoles
 * is the member's whole list of teams, so a requested null (a revert of a grant that put the
 * member in a team) leaves that team out, which takes the member out of it.
 */
function teamRolesFor(
  requested: TeamRole[] | null,
  details: SentryMember,
): { teamSlug: string; role: string | null }[] {
  let current = (details.teamRoles ?? []).map((t) => ({ teamSlug: t.teamSlug, role: t.role }));
  for (const want of requested ?? []) {
    if (want.role === null) {
      current = current.filter((t) => t.teamSlug !== want.team);
      continue;
    }
    const existing = current.find((t) => t.teamSlug === want.team);
    if (existing) existing.role = want.role;
    else current.push({ teamSlug: want.team, role: want.role });
  }
  return current;
}

/** `<…>; rel="next"; results="true"; cursor="0:100:0"` → "0:100:0". */
export function nextCursor(link: string | null): string | undefined {
  for (const part of (link ?? "").split(/,(?=\s*<)/)) {
    if (/rel="next"/.test(part) && /results="true"/.test(part)) return /cursor="([^"]+)"/.exec(part)?.[1];
  }
  return undefined;
}

/** Django REST Framework: {"detail": "…"} or field errors {"orgRole": ["…"]}; a 429 is a bare string. */
function describeDrf(_status: number, body: unknown) {
  if (typeof body === "string") return { message: body.trim() };
  if (!body || typeof body !== "object") return {};
  const record = body as Record<string, unknown>;
  if (typeof record.detail === "string") return { message: record.detail };
  const fields = Object.entries(record).flatMap(([field, value]) =>
    Array.isArray(value) ? value.map((v) => `${field}: ${String(v)}`) : [],
  );
  return fields.length > 0 ? { message: fields.join("; ") } : {};
}

export function createSentry(target: Target, context: ConnectorContext): TargetConnector {
  return new SentryConnector(target, context);
}
