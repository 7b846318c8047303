// Wraps a connector so that nothing a vendor says reaches the rest of rolegate unscrubbed: role
// names and ids, member emails and ids, team roles, what checkAccess saw, and every error's
// message, code and request id. One place, so filing, the executor, the request form,
// `/role targets`, doctor and the logs all see the same clean text.
import type {
  AddToOrganizations,
  CallOptions,
  MemberLookup,
  RoleChange,
  TargetConnector,
  VendorMember,
  VendorRole,
} from "./connector.js";
import { isAbort, VendorError } from "./errors.js";
import type { VendorTextScrubber } from "./vendor-text.js";

export class ScrubbedConnector implements TargetConnector {
  constructor(
    private readonly inner: TargetConnector,
    private readonly scrub: VendorTextScrubber,
  ) {}

  get target() {
    return this.inner.target;
  }

  checkAccess(options?: CallOptions): Promise<string> {
    return this.guard(options, async () => this.scrub(await this.inner.checkAccess(options)));
  }

  listRoles(options?: CallOptions): Promise<VendorRole[]> {
    return this.guard(options, async () => (await this.inner.listRoles(options)).map((role) => this.role(role)));
  }

  findMember(member: MemberLookup, options?: CallOptions): Promise<VendorMember | null> {
    return this.guard(options, async () => {
      const found = await this.inner.findMember(member, options);
      return found ? this.member(found) : null;
    });
  }

  async *listMembers(options?: CallOptions): AsyncGenerator<VendorMember[]> {
    const pages = this.inner.listMembers(options);
    for (;;) {
      const next = await this.guard(options, () => pages.next());
      if (next.done) return;
      yield next.value.map((m) => this.member(m));
    }
  }

  personIdOf(email: string, options?: CallOptions): Promise<string | null> {
    return this.guard(options, async () => {
      const id = await this.inner.personIdOf(email, options);
      return id === null ? null : this.scrub(id, "id");
    });
  }

  setRole(change: RoleChange, options?: CallOptions): Promise<void> {
    return this.guard(options, () => this.inner.setRole(change, options));
  }

  addToOrganizations(change: AddToOrganizations, options?: CallOptions): Promise<void> {
    return this.guard(options, () => this.inner.addToOrganizations(change, options));
  }

  private member(found: VendorMember): VendorMember {
    return {
      vendorUserId: this.scrub(found.vendorUserId, "id"),
      email: found.email === null ? null : this.scrub(found.email, "name"),
      role: this.role(found.role),
      ...(found.teamRoles
        ? {
            teamRoles: found.teamRoles.map((t) => ({
              team: this.scrub(t.team, "name"),
              role: t.role === null ? null : this.scrub(t.role, "name"),
            })),
          }
        : {}),
    };
  }

  /** A name that scrubs to nothing (only spaces or control characters) is shown by its id. */
  private role(role: VendorRole): VendorRole {
    const id = this.scrub(role.id, "id");
    return { id, name: this.scrub(role.name, "name") || id || "(unnamed role)" };
  }

  private async guard<T>(options: CallOptions | undefined, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      // The caller's own abort reason is ours, not the vendor's: hand it back untouched.
      if (options?.signal?.aborted && error === options.signal.reason) throw error;
      throw this.scrubbedError(error);
    }
  }

  private scrubbedError(error: unknown): unknown {
    if (error instanceof VendorError) return error.scrubbed(this.scrub);
    // An abort keeps its name (callers tell a timeout by it); other errors may quote a URL or
    // header a library was handed, so their message is scrubbed too.
    if (error instanceof Error && !isAbort(error)) {
      const clean = new Error(this.scrub(error.message));
      clean.name = error.name;
      return clean;
    }
    return error;
  }
}
