// Reads a target's members through its connector, page by page, and says how far the result can
// be trusted. Whatever the vendor does — a page that fails or has another shape, the same member
// twice, members without an email, an organization that suddenly lists nobody — the listing is
// kept as far as it went, marked incomplete where it must be, and each oddity is put in words.
import type { TargetConnector, VendorMember } from "../vendors/connector.js";
import { describeVendorFailure } from "../vendors/errors.js";
import type { Listing } from "./reconcile.js";

export interface ListingRead extends Listing {
  /** Vendor calls made (pages read, the failed one included). */
  calls: number;
  /** Why the listing stopped before its end; null when it read every page. */
  failure: string | null;
  /** What looked wrong, in words, for the log, /metrics and the doctor. */
  problems: string[];
}

export interface ReadOptions {
  signal: AbortSignal;
  /** Members the ledger holds now: a listing of none when there were some is not believed. */
  known: number;
  /** Called after each page, before the next is asked for: where a sync yields to other work. */
  betweenPages?: () => Promise<void>;
}

export async function readListing(connector: TargetConnector, options: ReadOptions): Promise<ListingRead> {
  const members = new Map<string, VendorMember>();
  const ambiguous = new Set<string>();
  let duplicates = 0;
  let calls = 0;
  let failure: string | null = null;
  try {
    calls++;
    for await (const page of connector.listMembers({ signal: options.signal })) {
      for (const member of page) {
        const earlier = members.get(member.vendorUserId);
        if (earlier) {
          duplicates++;
          if (earlier.role.id !== member.role.id) ambiguous.add(member.vendorUserId);
          continue;
        }
        members.set(member.vendorUserId, member);
      }
      await options.betweenPages?.();
      calls++;
    }
    calls--; // the last next() found the end: no call
  } catch (error) {
    // Our own stop (shutdown, a lost lease) is not the vendor's failure: nothing is written.
    if (options.signal.aborted) throw error;
    failure = `could not read page ${calls} of the members list: ${describeVendorFailure(error)}`;
  }

  const problems: string[] = [];
  if (failure) problems.push(`${failure}; nobody is marked as removed, and the next sync reads it all again`);
  if (duplicates > 0)
    problems.push(
      `${plural(duplicates, "member was", "members were")} listed twice (the list changed while it was read); nobody is marked as removed`,
    );
  if (ambiguous.size > 0)
    problems.push(
      `${plural(ambiguous.size, "member was", "members were")} listed with two different roles and left as they were`,
    );
  const empty = !failure && members.size === 0 && options.known > 0;
  if (empty)
    problems.push(
      `the vendor listed no members where ${options.known} were known — a revoked credential can answer so; nobody is marked as removed`,
    );
  const noEmail = [...members.values()].filter((m) => !m.email).length;
  if (noEmail > 0)
    problems.push(`${plural(noEmail, "member has", "members have")} no email; they are kept by vendor id`);

  return {
    members,
    ambiguous,
    complete: !failure && duplicates === 0 && !empty,
    calls,
    failure,
    problems,
  };
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}
