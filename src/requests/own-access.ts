// Nobody decides on their own access. Comparing Slack user ids is not enough: an approver can
// ask a colleague to file the request about her and decide it herself. So the person clicking is
// compared with every member of the request — by the email on their Slack profile, and by the id
// each vendor of the request knows them by as a person (personIdOf: for Devin the enterprise
// user, so someone about to be added to an organization is recognised though she is not in it
// yet). A lookup that fails answers `unverified`, which refuses like a match: it fails closed.
import type { ConnectorRegistry } from "../vendors/connector.js";
import type { OwnAccess } from "./lifecycle.js";
import type { RequestMember } from "./types.js";

export interface SlackUserEmails {
  /** The email address on a Slack profile, or null when Slack shows none. */
  emailOf(userId: string): Promise<string | null>;
}

export interface OwnAccessDeps {
  slackUsers: SlackUserEmails;
  connectors: ConnectorRegistry;
  /** How long one vendor lookup may take before the check counts as failed. */
  lookupTimeoutMs?: number;
}

export interface AccessAtStake {
  targets: readonly string[];
  members: readonly Pick<RequestMember, "ref" | "email" | "vendorUserId">[];
}

/** Whether `actor` is one of the request's members; `member` names which (`change` is the caller's to fill). */
export async function ownAccessOf(actor: string, request: AccessAtStake, deps: OwnAccessDeps): Promise<OwnAccess> {
  let email: string | null;
  try {
    email = await deps.slackUsers.emailOf(actor);
  } catch {
    return { kind: "unverified", why: "Slack did not say which email address is yours" };
  }
  if (!email) return { kind: "unverified", why: "your Slack profile shows no email address rolegate can read" };
  const mine = email.toLowerCase();

  const byEmail = request.members.find((m) => m.email?.toLowerCase() === mine || m.ref.toLowerCase() === mine);
  if (byEmail) return { kind: "member", ref: byEmail.ref };

  // A member named by vendor id, or known to the vendor under another address, is found by the
  // vendor's id for the person clicking.
  for (const target of request.targets) {
    let me: string | null;
    try {
      me = await deps.connectors
        .forTarget(target)
        .personIdOf(mine, { signal: AbortSignal.timeout(deps.lookupTimeoutMs ?? 8_000) });
    } catch {
      return { kind: "unverified", why: `${target} did not answer when asked who you are there` };
    }
    const byId = me !== null && request.members.find((m) => m.vendorUserId === me);
    if (byId) return { kind: "member", ref: byId.ref };
  }
  return { kind: "none" };
}
