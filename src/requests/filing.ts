// Turns what a person asked for — target names, members as typed, a role as typed — into a
// filed request: it resolves @mentions to emails, matches the role against the vendor's own
// list, and reads each member's current role so approvers see "current → requested". A member
// the vendor says does not exist is refused here, while nothing has been recorded yet; a lookup
// that merely failed (vendor slow or down) is filed anyway with "unknown: <why>" on the card.
import type { RolegateConfig } from "../config/file.js";
import type { ConnectorRegistry, MemberLookup, VendorMember, VendorRole } from "../vendors/connector.js";
import { VendorError } from "../vendors/errors.js";
import { traitsOf } from "../vendors/traits.js";
import type { MemberRef } from "./grammar.js";
import { unknownRoleKeys } from "./approval-policy.js";
import { refuse, type Result } from "./refusals.js";
import { checkShape } from "./request-shape.js";
import type { RequestService } from "./request-service.js";
import { UNKNOWN_ROLE, type RequestKind, type RoleRequest, type TeamRole } from "./types.js";

export interface SlackUserEmails {
  /** The email address on a Slack profile, or null when Slack shows none. */
  emailOf(userId: string): Promise<string | null>;
}

export interface FilingInput {
  kind: RequestKind;
  targets: string[];
  members: MemberRef[];
  /** The role as typed: matched by the vendor's role name or id, in any case. */
  role: string;
  teamRoles?: TeamRole[] | null;
  /** A time-bound grant's length; null or absent for a permanent change. */
  durationSeconds?: number | null;
  reason: string;
  requesterId: string;
  /** A take-back: the failed revert whose member it puts back in the pre-grant role. */
  takesBack?: string;
}

export interface FilingDeps {
  service: Pick<RequestService, "file" | "policyRefusal" | "find" | "resolveRefusal" | "limitRefusal">;
  connectors: ConnectorRegistry;
  config: Pick<RolegateConfig, "targets">;
  slackUsers: SlackUserEmails;
  /** How long one vendor lookup may take before it counts as failed. */
  lookupTimeoutMs?: number;
}

export class Filing {
  constructor(private readonly deps: FilingDeps) {}

  async file(input: FilingInput): Promise<Result<RoleRequest>> {
    // Limits first: nothing is asked of Slack or a vendor for a request that cannot be filed.
    const shape = checkShape(
      {
        kind: input.kind,
        targets: input.targets,
        reason: input.reason,
        memberRefs: input.members.map(refOf),
        durationSeconds: input.durationSeconds ?? null,
        teamRoles: input.teamRoles ?? null,
      },
      this.deps.config,
    );
    if (!shape.ok) return shape;
    // How much this person has asked for already, before any Slack or vendor lookup.
    const limit = await this.deps.service.limitRefusal(input.requesterId);
    if (limit) return { ok: false, refusal: limit };
    const targets = shape.value;
    const first = targets[0]!.name;
    // Who may ask, before any vendor is asked anything.
    const notAllowed = await this.deps.service.policyRefusal({
      target: first,
      extraTargets: input.targets.slice(1),
      requesterId: input.requesterId,
    });
    if (notAllowed) return { ok: false, refusal: notAllowed };
    const connectors = targets.map((t) => this.deps.connectors.forTarget(t.name));
    const signal = () => AbortSignal.timeout(this.deps.lookupTimeoutMs ?? 8_000);

    let roles: VendorRole[];
    try {
      roles = await connectors[0]!.listRoles({ signal: signal() });
    } catch (error) {
      return refuse(
        "vendor_unavailable",
        `rolegate could not read the roles of ${first}: ${describe(error)}. Nothing was filed; try again in a minute.`,
        "role",
      );
    }
    // A misspelt key would silently fall back to `default`: refuse instead.
    for (const target of targets) {
      const [bad] = unknownRoleKeys(target, roles);
      if (bad) {
        return refuse(
          "invalid_request",
          `rolegate.yml is wrong for ${target.name}: its ${bad.map} key "${bad.key}" matches none of its roles (${roles.map((r) => r.name).join(", ")}), so rolegate cannot tell what its policy is. Nothing was filed; ask whoever runs rolegate to fix the key (npm run doctor shows it).`,
          "role",
        );
      }
    }
    const wanted = input.role.trim().toLowerCase();
    const role = roles.find((r) => r.name.toLowerCase() === wanted || r.id.toLowerCase() === wanted);
    if (!role) {
      return refuse(
        "invalid_request",
        `"${input.role}" is not a role in ${first}. Its roles: ${roles.map((r) => r.name).join(", ")}.`,
        "role",
      );
    }
    // How long, before the member lookups: a request the policy refuses costs no more calls.
    const policy = await this.deps.service.policyRefusal({
      target: first,
      extraTargets: input.targets.slice(1),
      requestedRole: role,
      durationSeconds: input.durationSeconds ?? null,
      teamRoles: input.teamRoles ?? null,
      requesterId: input.requesterId,
    });
    if (policy) return { ok: false, refusal: policy };

    const lookups: MemberLookup[] = [];
    for (const member of input.members) {
      const resolved = await this.lookupOf(member);
      if (typeof resolved === "string") return refuse("invalid_request", resolved, "members");
      lookups.push(resolved);
    }

    // Each member is read in every organization the request touches: approvers see, per
    // organization, what the change will overwrite.
    const found = await Promise.all(
      lookups.map(async (lookup) => ({
        lookup,
        readings: await Promise.all(
          connectors.map(async (connector): Promise<Reading> => {
            try {
              return { member: await connector.findMember(lookup, { signal: signal() }) };
            } catch (error) {
              return { failure: describe(error) };
            }
          }),
        ),
      })),
    );

    if (input.kind === "SET_ROLE") {
      const absent = found
        .filter((f) => "member" in f.readings[0]! && f.readings[0].member === null)
        .map((f) => f.lookup.ref);
      if (absent.length > 0) {
        const target = targets[0]!;
        return refuse(
          "invalid_request",
          `${absent.join(", ")} ${absent.length > 1 ? "are" : "is"} not a member of ${target.organization} (${first}), so there is no role to change.` +
            (traitsOf(target.vendor).notAMemberHint ? ` ${traitsOf(target.vendor).notAMemberHint}` : ""),
          "members",
        );
      }
    }

    return this.deps.service.file({
      kind: input.kind,
      target: first,
      extraTargets: input.targets.slice(1),
      requestedRole: { id: role.id, name: role.name },
      teamRoles: input.teamRoles ?? null,
      durationSeconds: input.durationSeconds ?? null,
      reason: input.reason,
      requesterId: input.requesterId,
      ...(input.takesBack ? { takesBack: input.takesBack } : {}),
      members: found.map((f) =>
        memberRecord(
          f.lookup,
          f.readings,
          targets.map((t) => t.name),
        ),
      ),
    });
  }

  /**
   * Files a take-back of a revert that failed: a new request, by the approver asking, to put the
   * member back in the role they had before the grant. It reads the member's role as it is now,
   * for the card, and is decided like any change; once applied, the failed revert is settled.
   */
  async takeBack(revertId: string, actor: string): Promise<Result<RoleRequest>> {
    const refusal = await this.deps.service.resolveRefusal(revertId, actor);
    if (refusal) return { ok: false, refusal };
    const revert = (await this.deps.service.find(revertId))!;
    const member = revert.members[0]!;
    return this.file({
      kind: "SET_ROLE",
      targets: [revert.target],
      members: [
        member.email
          ? { kind: "email", email: member.email }
          : { kind: "vendor_id", id: member.vendorUserId ?? member.ref },
      ],
      role: revert.requestedRole.id,
      teamRoles: revert.teamRoles,
      reason:
        `Take back what ${revert.revertOf} granted: its revert ${revert.id} failed (${revert.failureDetail ?? "no detail"})`.slice(
          0,
          1_000,
        ),
      requesterId: actor,
      takesBack: revert.id,
    });
  }

  private async lookupOf(member: MemberRef): Promise<MemberLookup | string> {
    switch (member.kind) {
      case "email":
        return { ref: member.email, email: member.email, vendorUserId: null };
      case "vendor_id":
        return { ref: `id:${member.id}`, email: null, vendorUserId: member.id };
      case "slack": {
        const email = await this.deps.slackUsers.emailOf(member.userId).catch(() => null);
        if (!email)
          return `<@${member.userId}> has no email address rolegate can see; name them by email or id:<vendor id> instead.`;
        return { ref: email.toLowerCase(), email: email.toLowerCase(), vendorUserId: null };
      }
    }
  }
}

/** How a member was named, before any lookup. */
function refOf(member: MemberRef): string {
  return member.kind === "email"
    ? member.email
    : member.kind === "vendor_id"
      ? `id:${member.id}`
      : `<@${member.userId}>`;
}

type Reading = { member: VendorMember | null } | { failure: string };

/** null: not a member; "unknown: …": the lookup failed, and approvers should know. */
function roleText(reading: Reading): string | null {
  return "failure" in reading ? `${UNKNOWN_ROLE}${reading.failure}` : (reading.member?.role.name ?? null);
}

function memberRecord(lookup: MemberLookup, readings: Reading[], targets: string[]) {
  const known = readings.map((r) => ("member" in r ? r.member : null)).find((m) => m !== null);
  return {
    ref: lookup.ref,
    email: known?.email ?? lookup.email,
    vendorUserId: known?.vendorUserId ?? lookup.vendorUserId,
    roleWhenFiled: roleText(readings[0]!),
    extraRolesWhenFiled: Object.fromEntries(targets.slice(1).map((target, i) => [target, roleText(readings[i + 1]!)])),
  };
}

function describe(error: unknown): string {
  if (error instanceof VendorError) return error.describe();
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError"))
    return "the vendor did not answer in time";
  return error instanceof Error ? error.message : String(error);
}
