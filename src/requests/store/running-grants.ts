// At most one time-bound grant runs for a member in a target. Two overlapping grants undo each
// other: G1 makes ada Admin for an hour, G2 makes her Member for half an hour within it; G1's
// revert finds her Member and stops, G2's then restores "the role she had before G2" — Admin —
// for good, approved by nobody. So a request naming a member who has a grant still open there
// (approved, applying, or applied with a revert not yet done or failed and waiting for a Retry)
// is refused at filing, and the executor checks again right before calling the vendor, for
// filings that raced each other. A revert that failed because someone changed the role at the
// vendor no longer holds anything back: that member's role is no longer the grant's. A grant
// still waiting for approval holds nothing back either: anyone may file one, and if a pending
// grant blocked filing, a member could keep refiling one to shield themselves from a demotion.
// Of two that are both approved, the executor's check stops whichever is applied second.
import { Prisma, type PrismaClient } from "../../db/generated/client.js";
import type { Tx } from "./writes.js";

export interface RunningGrant {
  grantId: string;
  target: string;
  /** The member as that grant names them. */
  ref: string;
  role: string;
  /** When its reverts are due; null while it has not been applied. */
  endsAt: Date | null;
}

export interface MemberKey {
  email: string | null;
  vendorUserId: string | null;
}

/** The grants other than `except` still open for any of `members` in any of `targets`. */
export async function runningGrantsFor(
  db: Tx | PrismaClient,
  targets: readonly string[],
  members: readonly MemberKey[],
  except: string | null = null,
): Promise<RunningGrant[]> {
  const emails = members.flatMap((m) => (m.email ? [m.email.toLowerCase()] : []));
  const ids = members.flatMap((m) => (m.vendorUserId ? [m.vendorUserId] : []));
  if (targets.length === 0 || (emails.length === 0 && ids.length === 0)) return [];
  const rows = await db.$queryRaw<{ id: string; target: string; ref: string; role: string; ends_at: Date | null }[]>`
    SELECT g.id, g.target, m.ref, g.requested_role_name AS role, g.grant_ends_at AS ends_at
    FROM role_requests g JOIN request_members m ON m.request_id = g.id
    WHERE g.target IN (${Prisma.join(targets)})
      AND g.duration_seconds IS NOT NULL AND g.revert_of IS NULL AND g.extends_grant IS NULL
      AND g.id <> ${except ?? ""}
      AND (m.email = ANY(${emails}::text[]) OR m.vendor_user_id = ANY(${ids}::text[]))
      AND (g.status IN ('APPROVED', 'EXECUTING')
        OR EXISTS (SELECT 1 FROM role_requests r
                   WHERE r.revert_of = g.id AND r.id = g.id || '-R' || m.position
                     AND (r.status IN ('APPROVED', 'EXECUTING') OR (r.status = 'FAILED' AND r.failure_code IS NULL AND r.resolved_at IS NULL))))
    ORDER BY g.created_at`;
  return rows.map((r) => ({ grantId: r.id, target: r.target, ref: r.ref, role: r.role, endsAt: r.ends_at }));
}
