// Nobody approves a change to their own access. Comparing Slack user ids is not enough: an
// approver can ask a colleague to file the request about her and approve it herself. So the
// person clicking is compared with every member of the request — by the email on their Slack
// profile, and by the member id each vendor of the request knows them by. A lookup that fails
// answers `unverified`, which refuses like a match: this check fails closed.
import type { ConnectorRegistry } from "../vendors/connector.js";
import type { SlackUserEmails } from "./filing.js";
import type { OwnAccess } from "./lifecycle.js";
import type { RequestMember } from "./types.js";

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
    try {
      const me = await deps.connectors.forTarget(target).findMember({ ref: mine, email: mine, vendorUserId: null }, { signal: AbortSignal.timeout(deps.lookupTimeoutMs ?? 8_000) });
      const byId = me && request.members.find((m) => m.vendorUserId === me.vendorUserId);
      if (byId) return { kind: "member", ref: byId.ref };
    } catch {
      return { kind: "unverified", why: `${target} did not answer when asked who you are there` };
    }
  }
  return { kind: "none" };
}
