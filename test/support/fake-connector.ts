// A test double of the vendor interface: an organization's members in memory, a log of every
// call, and switches for the faults a real vendor has (refusals, rate limits, hangs). The real
// connectors are tested against real HTTP fakes of each vendor; the executor only needs this.
import type { Target } from "../../src/config/file.js";
import type {
  AddToOrganizations,
  CallOptions,
  MemberLookup,
  RoleChange,
  TargetConnector,
  VendorMember,
  VendorRole,
} from "../../src/vendors/connector.js";
import { VendorError } from "../../src/vendors/errors.js";

const ROLES: VendorRole[] = [
  { id: "member", name: "Member" },
  { id: "admin", name: "Admin" },
  { id: "owner", name: "Owner" },
];

export type Call =
  { method: "setRole"; change: RoleChange } | { method: "addToOrganizations"; change: AddToOrganizations };

/** What the next write does instead of (or before) succeeding. */
export type WriteBehaviour =
  | { kind: "ok" }
  | { kind: "error"; error: VendorError }
  /**
   * A call that stalls until `until` resolves (never, when absent: a process that died
   * mid-call). `applyFirst`: the vendor made the change before the stall; otherwise it makes
   * it after, unless it answers with `thenError`.
   */
  | { kind: "stall"; applyFirst: boolean; until?: Promise<void>; thenError?: VendorError }
  /** Never answers and changes nothing until aborted. */
  | { kind: "hang" }
  /** Changes the members listed, then refuses the rest, as a one-by-one vendor does. */
  | { kind: "partial"; applyTo: string[]; error: VendorError };

export class FakeConnector implements TargetConnector {
  readonly calls: Call[] = [];
  readonly reads: string[] = [];
  /** Members by vendor user id, in this target's organization. */
  readonly members = new Map<string, VendorMember>();
  private writes: WriteBehaviour[] = [];
  readError: VendorError | undefined;
  /** Thrown by listRoles when set, as a vendor whose roles cannot be read. */
  rolesError: VendorError | undefined;
  /** The roles this organization offers. */
  roles: VendorRole[] = ROLES;
  /**
   * People the vendor knows beyond this organization's members, by email → id: a Devin
   * enterprise's users who are not (yet) in this organization.
   */
  readonly people = new Map<string, string>();
  /** Thrown by personIdOf when set, as a vendor that cannot say who someone is. */
  personError: VendorError | undefined;
  /** Members per page of listMembers. */
  listPageSize = 2;
  /** The listing throws this instead of the page with that index (0 is the first). */
  listFailure: { page: number; error: Error } | undefined;
  /** Pages the listing yields instead of the members (a vendor answering wrongly). */
  listPages: VendorMember[][] | undefined;
  /** How many times the listing was started. */
  listings = 0;
  /** Each page of the listing answers after this long (a slow vendor). */
  listPageDelayMs = 0;
  /** Runs once, at the next read of a member, before it answers: a fault the test makes meanwhile. */
  beforeNextRead: (() => Promise<void>) | undefined;

  constructor(
    readonly target: Target,
    private readonly orgsOf?: (org: string) => FakeConnector | undefined,
  ) {}

  addMember(id: string, email: string, role: string): void {
    const found = ROLES.find((r) => r.id === role)!;
    this.members.set(id, { vendorUserId: id, email, role: found });
  }

  roleOf(id: string): string | undefined {
    return this.members.get(id)?.role.id;
  }

  /** Queues behaviours for the next writes, in order; afterwards writes succeed. */
  nextWrites(...behaviours: WriteBehaviour[]): void {
    this.writes.push(...behaviours);
  }

  async listRoles(): Promise<VendorRole[]> {
    if (this.rolesError) throw this.rolesError;
    return this.roles;
  }

  async checkAccess(): Promise<string> {
    return "fake";
  }

  async findMember(member: MemberLookup): Promise<VendorMember | null> {
    this.reads.push(member.ref);
    const before = this.beforeNextRead;
    this.beforeNextRead = undefined;
    await before?.();
    if (this.readError) throw this.readError;
    const byId = member.vendorUserId ? this.members.get(member.vendorUserId) : undefined;
    const found = byId ?? [...this.members.values()].find((m) => m.email === member.email);
    return found ? structuredClone(found) : null;
  }

  async *listMembers(): AsyncGenerator<VendorMember[]> {
    this.listings++;
    const members = [...this.members.values()].map((m) => structuredClone(m));
    const pages = this.listPages ?? [];
    if (!this.listPages)
      for (let i = 0; i < members.length; i += this.listPageSize) pages.push(members.slice(i, i + this.listPageSize));
    for (const [i, page] of pages.entries()) {
      if (this.listPageDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.listPageDelayMs));
      if (this.listFailure?.page === i) throw this.listFailure.error;
      yield page;
    }
  }

  async personIdOf(email: string): Promise<string | null> {
    const error = this.personError ?? this.readError;
    if (error) throw error;
    const member = [...this.members.values()].find((m) => m.email === email);
    return member?.vendorUserId ?? this.people.get(email) ?? null;
  }

  async setRole(change: RoleChange, options?: CallOptions): Promise<void> {
    this.calls.push({ method: "setRole", change });
    await this.perform(options, (only) => {
      for (const m of change.members)
        if (!only || only.includes(m.vendorUserId))
          this.members.set(m.vendorUserId, { ...m, role: change.role, ...teamsAfter(m, change) });
    });
  }

  async addToOrganizations(change: AddToOrganizations, options?: CallOptions): Promise<void> {
    this.calls.push({ method: "addToOrganizations", change });
    await this.perform(options, () => {
      for (const org of change.organizations) {
        const connector = org === this.target.organization ? this : this.orgsOf?.(org);
        for (const m of change.members)
          connector?.members.set(m.vendorUserId!, { vendorUserId: m.vendorUserId!, email: m.email, role: change.role });
      }
    });
  }

  private async perform(options: CallOptions | undefined, apply: (only?: string[]) => void): Promise<void> {
    const behaviour = this.writes.shift() ?? { kind: "ok" };
    switch (behaviour.kind) {
      case "ok":
        apply();
        return;
      case "error":
        throw behaviour.error;
      case "stall":
        if (behaviour.applyFirst) apply();
        await (behaviour.until ?? new Promise<never>(() => {}));
        if (behaviour.thenError) throw behaviour.thenError;
        if (!behaviour.applyFirst) apply();
        return;
      case "partial":
        // As a one-by-one vendor's connector does: the error names the members it changed.
        apply(behaviour.applyTo);
        throw behaviour.error.withCompletedMembers(behaviour.applyTo);
      case "hang":
        await new Promise<never>((_, reject) => {
          options?.signal?.addEventListener("abort", () => reject(options.signal?.reason as Error));
        });
    }
  }
}

export const rateLimited = (retryAfterMs?: number) =>
  new VendorError({
    kind: "rate_limited",
    message: "Too many requests",
    httpStatus: 429,
    ...(retryAfterMs ? { retryAfterMs } : {}),
  });
export const unavailable = () =>
  new VendorError({ kind: "unavailable", message: "Service unavailable", httpStatus: 503 });
export const forbidden = (message: string) =>
  new VendorError({ kind: "forbidden", message, httpStatus: 403, vendorCode: "User.Forbidden", requestId: "req-123" });

/** Sentry's team roles after a change: each requested team set (or left, for a null role), the rest kept. */
function teamsAfter(member: VendorMember, change: RoleChange): Pick<VendorMember, "teamRoles"> {
  if (!change.teamRoles) return member.teamRoles ? { teamRoles: member.teamRoles } : {};
  const kept = (member.teamRoles ?? []).filter((t) => !change.teamRoles!.some((w) => w.team === t.team));
  return { teamRoles: [...kept, ...change.teamRoles.filter((w) => w.role !== null)] };
}
