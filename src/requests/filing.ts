// Files requests: the one way a request comes into being. A person's request (a command, the
// form, a take-back) arrives as typed — target names, members as named, a role as typed — and is
// turned into a filed request: @mentions resolved to emails, the role matched against the
// vendor's own list, and each member's current role read so approvers see "current → requested".
// A member the vendor says does not exist is refused here, while nothing has been recorded yet; a
// lookup that merely failed (vendor slow or down) is filed anyway with "unknown: <why>" on the
// card. An extension arrives resolved already (it copies its grant). Either way each check runs
// once, cheapest first: the request's shape, the person's limits and who may ask before any
// Slack or vendor lookup; how long, once the role is known; overlapping grants last.
import type { Clock } from "../clock.js";
import type { RolegateConfig, Target } from "../config/file.js";
import type { ConnectorRegistry, MemberLookup, VendorMember, VendorRole } from "../vendors/connector.js";
import { describeVendorFailure } from "../vendors/errors.js";
import { traitsOf } from "../vendors/traits.js";
import type { ApprovalPolicy } from "./approval-policy.js";
import { unknownRoleKeys } from "./approval-policy.js";
import { durationProblem } from "./grant-policy.js";
import type { MemberRef } from "./grammar.js";
import type { SlackUserEmails } from "./own-access.js";
import { ok, refuse, type Refusal, type Result } from "./refusals.js";
import type { RequestService } from "./request-service.js";
import { checkShape, cleanTyped, MAX_REASON_LENGTH, memberNamedTwice } from "./request-shape.js";
import { ExtensionPending, type NewRequest, type RequestRepo } from "./store/request-repo.js";
import { UNKNOWN_ROLE, type RequestKind, type RoleRequest, type TeamRole } from "./types.js";

/** A request with its members read already; filing works out its approvals and expiry. */
export type ResolvedRequest = Omit<NewRequest, "requiredApprovals" | "expiresAt">;

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
}

export interface FilingDeps {
  repo: Pick<RequestRepo, "create" | "find" | "requesterLoad" | "runningGrantsFor" | "openTakeBack">;
  policy: Pick<ApprovalPolicy, "mayRequest" | "requiredApprovals">;
  /** Who may settle a failed revert: only they may file its take-back. */
  settling: Pick<RequestService, "resolveRefusal">;
  connectors: ConnectorRegistry;
  config: Pick<RolegateConfig, "targets" | "pendingTtl" | "limits">;
  slackUsers: SlackUserEmails;
  clock: Clock;
  /** Called after a request was filed: its card waits in the outbox. */
  noticesAvailable?: () => void;
  /** How long one vendor lookup may take before it counts as failed. */
  lookupTimeoutMs?: number;
}

export class Filing {
  constructor(private readonly deps: FilingDeps) {}

  /** Files a request as a person asked for it: a command, the form, or a take-back. */
  file(input: FilingInput): Promise<Result<RoleRequest>> {
    return this.fileAsTyped(input);
  }

  /** `takesBack`: only takeBack() names one, once it has checked who is asking. */
  private async fileAsTyped(input: FilingInput, takesBack?: string): Promise<Result<RoleRequest>> {
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
    const targets = shape.value;
    // How much this person has asked for already, and whether they may ask at all: before any
    // Slack or vendor lookup, so a flood costs nothing but these queries.
    const early =
      (await this.limitRefusal(input.requesterId)) ?? (await this.requesterRefusal(input.requesterId, targets));
    if (early) return { ok: false, refusal: early };
    const first = targets[0]!.name;
    const connectors = targets.map((t) => this.deps.connectors.forTarget(t.name));
    const signal = () => AbortSignal.timeout(this.deps.lookupTimeoutMs ?? 8_000);

    let roles: VendorRole[];
    try {
      roles = await connectors[0]!.listRoles({ signal: signal() });
    } catch (error) {
      return refuse(
        "vendor_unavailable",
        `rolegate could not read the roles of ${first}: ${describeVendorFailure(error)}. Nothing was filed; try again in a minute.`,
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
    const requestedRole = { id: role.id, name: role.name };
    // How long, before the member lookups: a request the policy refuses costs no more calls.
    const tooLong = durationRefusal(targets, requestedRole, input.durationSeconds ?? null, input.teamRoles ?? null);
    if (tooLong) return { ok: false, refusal: tooLong };

    const lookups: MemberLookup[] = [];
    for (const member of input.members) {
      const resolved = await this.lookupOf(member);
      if (typeof resolved === "string") return refuse("invalid_request", resolved, "members");
      lookups.push(resolved);
    }
    // An @mention and an email may name one person: the same member named twice.
    const twice = memberNamedTwice(lookups.map((l) => l.ref));
    if (twice) return { ok: false, refusal: twice };

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
              return { failure: describeVendorFailure(error) };
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
        const hint = traitsOf(target.vendor).notAMemberHint;
        return refuse(
          "invalid_request",
          `${absent.join(", ")} ${absent.length > 1 ? "are" : "is"} not a member of ${target.organization} (${first}), so there is no role to change.` +
            (hint ? ` ${hint}` : ""),
          "members",
        );
      }
    }

    return this.commit(
      {
        kind: input.kind,
        target: first,
        extraTargets: input.targets.slice(1),
        requestedRole,
        teamRoles: input.teamRoles ?? null,
        durationSeconds: input.durationSeconds ?? null,
        reason: input.reason,
        requesterId: input.requesterId,
        ...(takesBack ? { takesBack } : {}),
        members: found.map((f) =>
          memberRecord(
            f.lookup,
            f.readings,
            targets.map((t) => t.name),
          ),
        ),
      },
      targets,
    );
  }

  /**
   * Files a take-back of a revert that failed: a new request, by the approver asking, to put the
   * member back in the role they had before the grant. It reads the member's role as it is now,
   * for the card, and is decided like any change; once applied, the failed revert is settled.
   */
  async takeBack(revertId: string, actor: string): Promise<Result<RoleRequest>> {
    const refusal = await this.deps.settling.resolveRefusal(revertId, actor);
    if (refusal) return { ok: false, refusal };
    const revert = (await this.deps.repo.find(revertId))!;
    const member = revert.members[0]!;
    return this.fileAsTyped(
      {
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
      },
      revert.id,
    );
  }

  /**
   * Asks for more time on a running grant: a new request for the same change, linked to the
   * grant, decided like any other; once approved it moves the grant's end and its reverts.
   */
  async extend(grantId: string, actor: string): Promise<Result<RoleRequest>> {
    const grant = await this.deps.repo.find(grantId);
    if (!grant) return refuse("not_found", `There is no request ${grantId}.`);
    if (grant.requesterId !== actor)
      return refuse("not_requester", "Only the person who asked for this access can ask to extend it.");
    if (
      grant.durationSeconds === null ||
      grant.revertOf !== null ||
      grant.status !== "APPLIED" ||
      !grant.grantEndsAt ||
      grant.grantEndsAt <= this.deps.clock()
    ) {
      return refuse(
        "nothing_to_end",
        `Request ${grantId} is not a running time-bound grant; ask anew with /role set … for <duration>.`,
      );
    }
    const members = grant.members.filter((m) => m.outcome === "APPLIED");
    // The same change as the grant's, team roles included: the approvals it needs (team:admin),
    // its card and its policy checks are the original's.
    return this.record({
      kind: "SET_ROLE",
      target: grant.target,
      requestedRole: grant.requestedRole,
      teamRoles: grant.teamRoles,
      durationSeconds: grant.durationSeconds,
      extendsGrant: grant.id,
      reason: `Extension of ${grant.id}: ${grant.reason}`.slice(0, MAX_REASON_LENGTH),
      requesterId: actor,
      // Approvers see the role held now; the executor re-reads it before moving the end.
      members: members.map((m) => ({
        ref: m.ref,
        email: m.email,
        vendorUserId: m.vendorUserId,
        roleWhenFiled: grant.requestedRole.name,
      })),
    });
  }

  /**
   * Files a request whose members are read already (an extension; tests and benchmarks that
   * stand in for the vendor lookups): every check `file` makes that does not need a vendor.
   */
  async record(input: ResolvedRequest): Promise<Result<RoleRequest>> {
    const shape = checkShape(
      {
        kind: input.kind,
        targets: [input.target, ...(input.extraTargets ?? [])],
        reason: input.reason,
        memberRefs: input.members.map((m) => m.ref),
        durationSeconds: input.durationSeconds ?? null,
        teamRoles: input.teamRoles ?? null,
      },
      this.deps.config,
    );
    if (!shape.ok) return shape;
    const targets = shape.value;
    // A take-back only by whom may settle its failed revert (takeBack() asks before its lookups).
    const settling = input.takesBack
      ? await this.deps.settling.resolveRefusal(input.takesBack, input.requesterId)
      : null;
    if (settling) return { ok: false, refusal: settling };
    const refusal =
      (await this.limitRefusal(input.requesterId)) ??
      (await this.requesterRefusal(input.requesterId, targets)) ??
      durationRefusal(targets, input.requestedRole, input.durationSeconds ?? null, input.teamRoles ?? null);
    if (refusal) return { ok: false, refusal };
    return this.commit(input, targets);
  }

  /** The last check (grants it would overlap), then the request is recorded with its card's notice. */
  private async commit(input: ResolvedRequest, targets: Target[]): Promise<Result<RoleRequest>> {
    const overlap = await this.overlapRefusal(input);
    if (overlap) return { ok: false, refusal: overlap };
    const now = this.deps.clock();
    let request: RoleRequest;
    try {
      request = await this.deps.repo.create(
        {
          ...input,
          reason: cleanTyped(input.reason),
          requiredApprovals: this.deps.policy.requiredApprovals(targets, input.requestedRole, input.teamRoles ?? null),
          expiresAt: new Date(now.getTime() + this.deps.config.pendingTtl),
        },
        now,
      );
    } catch (error) {
      if (!(error instanceof ExtensionPending)) throw error;
      return refuse(
        "extension_pending",
        `More time for ${input.extendsGrant} is already asked for: request ${error.pendingId} is waiting for its approvers. Nothing new was filed.`,
      );
    }
    this.deps.noticesAvailable?.();
    return ok(request);
  }

  /**
   * Whether the person has asked for as much as rolegate.yml's limits allow: requests open at
   * once, and filed in the last hour. Approvers are held to it too.
   */
  private async limitRefusal(requesterId: string): Promise<Refusal | null> {
    const { openPerRequester, filedPerHour } = this.deps.config.limits;
    const now = this.deps.clock();
    const load = await this.deps.repo.requesterLoad(requesterId, new Date(now.getTime() - 3_600_000));
    if (load.open >= openPerRequester) {
      return {
        code: "limit",
        message: `You have ${load.open} requests open (waiting for approval or to be applied), the most one person may have at once (rolegate.yml: limits.openPerRequester). You can file again once one of them is decided or applied, or after you cancel one with /role cancel <id>.`,
      };
    }
    if (load.filedSince >= filedPerHour) {
      const again = new Date((load.oldestSince ?? now).getTime() + 3_600_000);
      return {
        code: "limit",
        message: `You have filed ${load.filedSince} requests in the last hour, the most one person may (rolegate.yml: limits.filedPerHour). You can file again at ${again.toISOString().slice(11, 16)} UTC.`,
      };
    }
    return null;
  }

  /** Whether rolegate.yml lets this person ask for changes in these targets. */
  private async requesterRefusal(requesterId: string, targets: readonly Target[]): Promise<Refusal | null> {
    const names = targets.map((t) => t.name);
    if (await this.deps.policy.mayRequest(requesterId, names)) return null;
    return {
      code: "requester_not_allowed",
      message: `You may not ask for changes in ${names.join(", ")}: rolegate.yml names who may. Ask one of its approvers.`,
      field: "target",
    };
  }

  /**
   * A member with a time-bound grant still open in a target the request touches: any change now
   * would be undone, or would undo, when that grant's revert runs (running-grants.ts). The grant
   * is extended or ended first; an extension itself is the one request that may name it.
   */
  private async overlapRefusal(input: ResolvedRequest): Promise<Refusal | null> {
    if (input.extendsGrant) return null;
    // A take-back replaces its grant's failed revert: that grant is the one it may overlap.
    let except: string | null = null;
    if (input.takesBack) {
      const open = await this.deps.repo.openTakeBack(input.takesBack);
      if (open)
        return {
          code: "already_decided",
          message: `A take-back of ${input.takesBack} is already filed: request ${open}. Nothing new was filed.`,
        };
      except = (await this.deps.repo.find(input.takesBack))?.revertOf ?? null;
    }
    const members = input.members.map((m) => ({ email: m.email ?? null, vendorUserId: m.vendorUserId ?? null }));
    const [running] = await this.deps.repo.runningGrantsFor(
      [input.target, ...(input.extraTargets ?? [])],
      members,
      except,
    );
    if (!running) return null;
    const until = running.endsAt
      ? ` until ${running.endsAt.toISOString().replace("T", " ").slice(0, 16)} UTC`
      : ", not yet applied";
    return {
      code: "grant_running",
      message:
        `${running.ref} has a time-bound grant in ${running.target} that has not ended: request ${running.grantId} (${running.role}${until}). ` +
        "A change now would be undone, or undo another, when that grant ends. Extend it (from its ending-soon DM), or end it with End now on its card or I'm done, then ask again.",
      field: "members",
    };
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

/** What rolegate.yml's policy says against a role for this long (grant-policy.ts), or null. */
function durationRefusal(
  targets: readonly Target[],
  role: ResolvedRequest["requestedRole"],
  durationSeconds: number | null,
  teamRoles: readonly TeamRole[] | null,
): Refusal | null {
  for (const target of targets) {
    const problem = durationProblem(target, role, durationSeconds, teamRoles);
    if (problem) return { code: "policy", message: problem, field: "duration" };
  }
  return null;
}
