// Dolfin: PATCH /users/{id}/role {role: Member|Admin|Owner}, as Dolfin's API reference documents
// it ("Update user role in my organisation", docs.dolfinai.co), acting on "the caller's
// active organisation" — which is why every call names it in x-dolfin-organisation-id.
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
import { VendorError } from "./errors.js";
import { changeEachMember, LISTING_PATIENCE_MS, MAX_PAGES, signal, unexpected } from "./connector-support.js";
import { VendorHttp } from "./http.js";
import type { ConnectorContext } from "./registry.js";

const DOLFIN_ROLES: VendorRole[] = [
  { id: "Member", name: "Member" },
  { id: "Admin", name: "Admin" },
  { id: "Owner", name: "Owner" },
];

/**
 * The item shape is not documented; expect {id, email, name, role} and refuse anything else. A
 * user with no email (an account whose email was removed) is still a user holding a role.
 */
const DolfinUser = z.object({
  id: z.string(),
  email: z.string().nullish(),
  name: z.string().nullish(),
  role: z.string(),
});
type DolfinUser = z.infer<typeof DolfinUser>;

/** GET /organisations/{id}/users: a page of users and the cursor of the next. */
const DolfinPage = z.object({
  data: z.array(DolfinUser),
  nextCursor: z.string().nullish(),
  hasMore: z.boolean().nullish(),
});

const PAGE_SIZE = 100;

class DolfinConnector implements TargetConnector {
  private readonly http: VendorHttp;

  constructor(
    readonly target: Target,
    context: ConnectorContext,
  ) {
    this.http = new VendorHttp({
      baseUrl: target.baseUrl ?? "https://api.dolfinai.co",
      headers: { "x-dolfin-api-key": context.credential, "x-dolfin-organisation-id": target.organization },
      describeError: describeProblem,
      ...(context.dispatcher ? { dispatcher: context.dispatcher } : {}),
    });
  }

  async listRoles(): Promise<VendorRole[]> {
    return DOLFIN_ROLES; // fixed by Dolfin: its OrganisationRole enum
  }

  /** The roles need no call, so read one page of users to prove the key and organisation. */
  async checkAccess(options?: CallOptions): Promise<string> {
    await this.http.call(
      {
        method: "GET",
        path: `/organisations/${encodeURIComponent(this.target.organization)}/users`,
        query: { Limit: 1 },
        ...signal(options),
      },
      DolfinPage,
    );
    return `users of ${this.target.organization} readable`;
  }

  /** Its people are its organization's members: the member found by this email. */
  async personIdOf(email: string, options?: CallOptions): Promise<string | null> {
    return (await this.findMember({ ref: email, email, vendorUserId: null }, options))?.vendorUserId ?? null;
  }

  async findMember(member: MemberLookup, options?: CallOptions): Promise<VendorMember | null> {
    const { vendorUserId, email } = member;
    if (!vendorUserId) {
      if (!email) return null;
      for await (const user of this.users(email, options))
        if (user.email?.toLowerCase() === email.toLowerCase()) return toMember(user);
      return null;
    }
    // Dolfin has no read by id, and listing every user costs a call per page: ask by the email
    // the member was filed with and match the id, and list them all only when that finds no one
    // (the email changed at Dolfin since).
    if (email) for await (const user of this.users(email, options)) if (user.id === vendorUserId) return toMember(user);
    for await (const user of this.users(undefined, options)) if (user.id === vendorUserId) return toMember(user);
    return null;
  }

  async *listMembers(options?: CallOptions): AsyncGenerator<VendorMember[]> {
    for await (const page of this.pages(undefined, options, LISTING_PATIENCE_MS)) yield page.map(toMember);
  }

  async setRole(change: RoleChange, options?: CallOptions): Promise<void> {
    const role = DOLFIN_ROLES.find((r) => r.id.toLowerCase() === change.role.id.toLowerCase());
    if (!role)
      throw new VendorError({
        kind: "invalid",
        message: `Dolfin has no role "${change.role.name}"; its roles are Member, Admin and Owner.`,
      });
    // Every Owner this change demotes, counted together: two Owners demoted in one request
    // must not leave the organisation with none.
    const demoted = role.id === "Owner" ? [] : change.members.filter((m) => m.role.id === "Owner");
    if (demoted.length > 0) await this.refuseIfNoOwnerLeft(demoted, options);
    await changeEachMember(
      change.members,
      async () => undefined,
      async (member) => {
        await this.http.call(
          {
            method: "PATCH",
            path: `/users/${encodeURIComponent(member.vendorUserId)}/role`,
            body: { role: role.id },
            ...signal(options),
          },
          z.unknown(), // the user as changed; the executor re-reads rather than trust it
        );
      },
    );
  }

  async addToOrganizations(_change: AddToOrganizations): Promise<void> {
    throw new VendorError({
      kind: "invalid",
      message: "Dolfin members cannot be added by rolegate; invite them in Dolfin first.",
    });
  }

  /** Dolfin refuses to demote the only Owner (User.LastOwner); say so before asking anything. */
  private async refuseIfNoOwnerLeft(demoted: VendorMember[], options?: CallOptions): Promise<void> {
    let owners = 0;
    for await (const user of this.users(undefined, options)) if (user.role === "Owner") owners++;
    if (owners - demoted.length < 1) {
      const who = demoted.map((m) => m.email ?? m.vendorUserId).join(", ");
      throw new VendorError({
        kind: "conflict",
        vendorCode: "User.LastOwner",
        message:
          demoted.length === 1
            ? `${who} is the only Owner of ${this.target.organization}; make someone else Owner first.`
            : `${who} are all the Owners of ${this.target.organization}; demoting them would leave none. Make someone else Owner first.`,
      });
    }
  }

  /** Every user of the organisation (or those matching an email), following the cursor. */
  private async *users(email: string | undefined, options?: CallOptions): AsyncGenerator<DolfinUser> {
    for await (const page of this.pages(email, options)) yield* page;
  }

  private async *pages(
    email: string | undefined,
    options?: CallOptions,
    patienceMs?: number,
  ): AsyncGenerator<DolfinUser[]> {
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const { body } = await this.http.call(
        {
          method: "GET",
          path: `/organisations/${encodeURIComponent(this.target.organization)}/users`,
          query: { Email: email, Limit: PAGE_SIZE, Cursor: cursor },
          ...(patienceMs ? { patienceMs } : {}),
          ...signal(options),
        },
        DolfinPage,
      );
      yield body.data;
      if (!body.hasMore || !body.nextCursor) return;
      cursor = body.nextCursor;
    }
    throw unexpected(`the users list had not ended after ${MAX_PAGES} pages`);
  }
}

function toMember(user: DolfinUser): VendorMember {
  const role = DOLFIN_ROLES.find((r) => r.id.toLowerCase() === user.role.toLowerCase()) ?? {
    id: user.role,
    name: user.role,
  };
  return { vendorUserId: user.id, email: user.email ?? null, role };
}

/** RFC 9457 problem details; Dolfin puts its code (User.LastOwner …) in title or type. */
function describeProblem(_status: number, body: unknown, headers: Headers) {
  const problem = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" && v.trim() !== "" ? v : undefined);
  const code = [problem.code, problem.title, problem.type]
    .map(str)
    .find((v) => v !== undefined && /^[A-Z]\w*\.\w+$/.test(v));
  const message = str(problem.detail) ?? str(problem.title) ?? (typeof body === "string" ? body : undefined);
  const requestId = str(problem.traceId) ?? str(problem.instance) ?? headers.get("x-request-id") ?? undefined;
  return { ...(message ? { message } : {}), ...(code ? { code } : {}), ...(requestId ? { requestId } : {}) };
}

export function createDolfin(target: Target, context: ConnectorContext): TargetConnector {
  return new DolfinConnector(target, context);
}
