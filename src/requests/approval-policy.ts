// Who may decide a request, and how many approvals it needs. Approvers are the config's users
// plus the members of its user groups; a target may name its own. Group membership comes from
// Slack (the Slack layer implements UsergroupDirectory), asked at decision time, never cached here.
import type { ApproversConfig, RolegateConfig, Target } from "../config/file.js";
import type { RoleRef } from "./types.js";

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

  /** An approver must be one for every target the request touches. */
  async mayDecide(userId: string, targetNames: readonly string[]): Promise<boolean> {
    for (const name of targetNames) {
      const target = this.config.targets.get(name);
      // A target removed from the config since filing has no approvers: nobody decides blindly.
      if (!target || !(await this.isApprover(userId, this.approversFor(target)))) return false;
    }
    return targetNames.length > 0;
  }

  private async isApprover(userId: string, approvers: ApproversConfig): Promise<boolean> {
    if (approvers.users.includes(userId)) return true;
    for (const group of approvers.usergroups) {
      if ((await this.directory.membersOf(group)).has(userId)) return true;
    }
    return false;
  }

  /**
   * Approvals needed for a role: the target's count for that role (by name or id, any case),
   * else its `default`, else 1. A request touching several targets needs the largest count.
   */
  requiredApprovals(targets: readonly Target[], role: RoleRef): number {
    return Math.max(
      1,
      ...targets.map((target) => {
        const counts = target.approvals;
        return counts[role.name.toLowerCase()] ?? counts[role.id.toLowerCase()] ?? counts.default ?? 1;
      }),
    );
  }
}
