// Small helpers every connector shares.
import type { CallOptions, VendorMember } from "./connector.js";
import { VendorError } from "./errors.js";

/** An answer that does not have the documented shape: a clear error, never a crash. */
export function unexpected(what: string): VendorError {
  return new VendorError({
    kind: "unavailable",
    message: `The vendor's answer was not what its API documents: ${what}`,
  });
}

export function signal(options?: CallOptions): { signal?: AbortSignal } {
  return options?.signal ? { signal: options.signal } : {};
}

/** How long a listing's page waits for a rate limit to lift before the listing stops. */
export const LISTING_PATIENCE_MS = 60_000;

/** Pages of a listing end here however the vendor answers: a cursor that never ends is a fault. */
export const MAX_PAGES = 10_000;

/**
 * Changes members one call at a time, for vendors without a bulk call. Every member is checked
 * against the vendor's rules first (`check`), before the first write: a request one of whose
 * members the vendor would refuse is refused whole, rather than leaving the members before it
 * changed. A failure after that carries the members already changed, so the executor records
 * those as applied and the rest as failed.
 */
export async function changeEachMember<T>(
  members: VendorMember[],
  check: (member: VendorMember) => Promise<T>,
  change: (member: VendorMember, checked: T) => Promise<void>,
): Promise<void> {
  const checked: T[] = [];
  for (const member of members) checked.push(await check(member));
  const done: string[] = [];
  for (const [i, member] of members.entries()) {
    try {
      await change(member, checked[i]!);
    } catch (error) {
      throw error instanceof VendorError && done.length > 0 ? error.withCompletedMembers(done) : error;
    }
    done.push(member.vendorUserId);
  }
}
