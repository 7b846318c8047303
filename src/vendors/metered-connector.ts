// Wraps a connector so that each of its calls is reported once — which vendor, which operation,
// how it ended, how long it took — to whoever watches (the metrics). The outcome is "ok", the
// VendorError kind (rate_limited, unavailable, forbidden …), "timeout", or "error".
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

export type CallObserver = (vendor: string, operation: string, outcome: string, seconds: number) => void;

export class MeteredConnector implements TargetConnector {
  constructor(
    private readonly inner: TargetConnector,
    private readonly observe: CallObserver,
  ) {}

  get target() {
    return this.inner.target;
  }

  checkAccess(options?: CallOptions): Promise<string> {
    return this.timed("check_access", () => this.inner.checkAccess(options));
  }

  listRoles(options?: CallOptions): Promise<VendorRole[]> {
    return this.timed("list_roles", () => this.inner.listRoles(options));
  }

  findMember(member: MemberLookup, options?: CallOptions): Promise<VendorMember | null> {
    return this.timed("find_member", () => this.inner.findMember(member, options));
  }

  /** Each page is one call, reported as list_members; the end of the listing is no call. */
  async *listMembers(options?: CallOptions): AsyncGenerator<VendorMember[]> {
    const pages = this.inner.listMembers(options);
    for (;;) {
      const started = performance.now();
      let next: IteratorResult<VendorMember[]>;
      try {
        next = await pages.next();
      } catch (error) {
        this.report("list_members", outcomeOf(error), started);
        throw error;
      }
      if (next.done) return;
      this.report("list_members", "ok", started);
      yield next.value;
    }
  }

  personIdOf(email: string, options?: CallOptions): Promise<string | null> {
    return this.timed("person_id", () => this.inner.personIdOf(email, options));
  }

  setRole(change: RoleChange, options?: CallOptions): Promise<void> {
    return this.timed("set_role", () => this.inner.setRole(change, options));
  }

  addToOrganizations(change: AddToOrganizations, options?: CallOptions): Promise<void> {
    return this.timed("add_to_organizations", () => this.inner.addToOrganizations(change, options));
  }

  private async timed<T>(operation: string, call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    let outcome = "ok";
    try {
      return await call();
    } catch (error) {
      outcome = outcomeOf(error);
      throw error;
    } finally {
      this.report(operation, outcome, started);
    }
  }

  private report(operation: string, outcome: string, started: number): void {
    this.observe(this.inner.target.vendor, operation, outcome, (performance.now() - started) / 1000);
  }
}

function outcomeOf(error: unknown): string {
  if (error instanceof VendorError) return error.kind;
  if (isAbort(error)) return "timeout";
  return "error";
}
