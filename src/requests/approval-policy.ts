// Who may decide a request, and how many approvals it needs. Approvers are the config's users
// plus the members of its user groups; a target may name its own. Group membership comes from
// Slack (the Slack layer implements UsergroupDirectory), asked at decision time, never cached here.
import type { ApproversConfig, RolegateConfig, Target } from "../config/file.js";
import { traitsOf } from "../vendors/traits.js";
import type { RoleRef, TeamRole } from "./types.js";

export interface UsergroupDirectory {
  /** The Slack user ids in a user group right now. */
  membersOf(usergroupId: string): Promise<ReadonlySet<string>>;
}

export class ApprovalPolicy {
  constructor(
    private readonly config: Pick<RolegateConfig, "approvers" | "targets">,
    private readonly directory: UsergroupDirectory,
  ) {}

  approversFor(target: Target): ApproversConfig {
    return target.approvers ?? this.config.approvers;
  }

  /**
   * An approver must be one for every target the request touches. `escalated`: the request
   * has waited past escalateAfter, so each target's escalateTo approvers may decide too.
   */
  async mayDecide(userId: string, targetNames: readonly string[], escalated = false): Promise<boolean> {
    for (const name of targetNames) {
      const target = this.config.targets.get(name);
      // A target removed from the config since filing has no approvers: nobody decides blindly.
      if (!target) return false;
      const may =
        (await this.isApprover(userId, this.approversFor(target))) ||
        (escalated && target.escalateTo !== undefined && (await this.isApprover(userId, target.escalateTo)));
      if (!may) return false;
    }
    return targetNames.length > 0;
  }

  /** Whether a person may ask for changes in every target named: each target's `requesters`, else anyone. */
  async mayRequest(userId: string, targetNames: readonly string[]): Promise<boolean> {
    for (const name of targetNames) {
      const requesters = this.config.targets.get(name)?.requesters;
      if (requesters && !(await this.isApprover(userId, requesters))) return false;
    }
    return true;
  }

  /** Everyone who may decide for a target right now: its users and its groups' members. */
  async approversOf(targetName: string, escalated = false): Promise<string[]> {
    const target = this.config.targets.get(targetName);
    if (!target) return [];
    const ids = new Set<string>();
    for (const approvers of [
      this.approversFor(target),
      ...(escalated && target.escalateTo ? [target.escalateTo] : []),
    ]) {
      for (const id of approvers.users) ids.add(id);
      for (const group of approvers.usergroups) for (const id of await this.directory.membersOf(group)) ids.add(id);
    }
    return [...ids];
  }

  private async isApprover(userId: string, approvers: ApproversConfig): Promise<boolean> {
    if (approvers.users.includes(userId)) return true;
    for (const group of approvers.usergroups) {
      if ((await this.directory.membersOf(group)).has(userId)) return true;
    }
    return false;
  }

  /**
   * Approvals needed: the target's count for the role (by name or id, any case), else its
   * `default`, else 1. Sentry team roles count too, keyed `team:<role>`: asking to be a team
   * admin needs what `team:admin` says. A request touching several targets needs the largest.
   */
  requiredApprovals(targets: readonly Target[], role: RoleRef, teamRoles: readonly TeamRole[] | null = null): number {
    return Math.max(
      1,
      ...targets.flatMap((target) => {
        const counts = target.approvals;
        const fallback = counts.default ?? 1;
        // Leaving a team (a revert's null) takes access away: it needs no more than the default.
        return [
          counts[role.name.toLowerCase()] ?? counts[role.id.toLowerCase()] ?? fallback,
          ...(teamRoles ?? []).map((t) =>
            t.role === null ? fallback : (counts[`${TEAM_KEY}${t.role.toLowerCase()}`] ?? fallback),
          ),
        ];
      }),
    );
  }
}

const TEAM_KEY = "team:";

/** A key of one of a target's by-role maps in rolegate.yml. */
export interface RoleKey {
  map: "approvals" | "maxDuration" | "requireDuration";
  key: string;
}

/**
 * The keys of a target's by-role maps (`approvals`, `maxDuration`, `requireDuration`) that name
 * none of its roles, given the roles its vendor lists. Each would otherwise fall back to
 * `default` without anyone noticing.
 */
export function unknownRoleKeys(
  target: Pick<Target, "vendor" | "approvals" | "maxDuration" | "requireDuration">,
  roles: readonly RoleRef[],
): RoleKey[] {
  const known = new Set(roles.flatMap((r) => [r.name.toLowerCase(), r.id.toLowerCase()]));
  // A vendor's team roles (Sentry's) may be keyed as team:<role>.
  for (const role of traitsOf(target.vendor).teamRoles) known.add(`${TEAM_KEY}${role}`);
  const maps = {
    approvals: target.approvals,
    maxDuration: target.maxDuration,
    requireDuration: typeof target.requireDuration === "object" ? target.requireDuration : undefined,
  };
  return Object.entries(maps).flatMap(([map, entries]) =>
    Object.keys(entries ?? {})
      .filter((key) => key !== "default" && !known.has(key))
      .map((key) => ({ map: map as RoleKey["map"], key })),
  );
}

/** Whether a target has any by-role key to check. */
export function hasRoleKeys(target: Pick<Target, "approvals" | "maxDuration" | "requireDuration">): boolean {
  const keys = [
    ...Object.keys(target.approvals),
    ...Object.keys(target.maxDuration ?? {}),
    ...(typeof target.requireDuration === "object" ? Object.keys(target.requireDuration) : []),
  ];
  return keys.some((key) => key !== "default");
}
