// Small helpers every connector shares.
import type { CallOptions, VendorMember } from "./connector.js";
import { VendorError } from "./errors.js";

/** An answer that does not have the documented shape: a clear error, never a crash. */
export function unexpected(what: string): VendorError {
  return new VendorError({ kind: "unavailable", message: `The vendor's answer was not what its API documents: ${what}` });
}

export function signal(options?: CallOptions): { signal?: AbortSignal } {
  return options?.signal ? { signal: options.signal } : {};
}

/**
 * Changes members one call at a time, for vendors without a bulk call. A failure carries the
 * members already changed, so the executor records those as applied and the rest as failed.
 */
export async function changeEachMember(members: VendorMember[], change: (member: VendorMember) => Promise<void>): Promise<void> {
  const done: string[] = [];
  for (const member of members) {
    try {
      await change(member);
    } catch (error) {
      throw error instanceof VendorError && done.length > 0 ? error.withCompletedMembers(done) : error;
    }
    done.push(member.vendorUserId);
  }
}
