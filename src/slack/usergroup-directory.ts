// Approvers named by user group are checked against Slack at decision time. Membership is
// cached briefly: long enough that a burst of clicks costs one call, short enough that a person
// removed from the group loses the right to approve within a minute.
import type { webApi } from "@slack/bolt";
import type { Clock } from "../clock.js";
import type { UsergroupDirectory } from "../requests/approval-policy.js";

export class SlackUsergroupDirectory implements UsergroupDirectory {
  private readonly cache = new Map<string, { members: ReadonlySet<string>; until: number }>();

  constructor(
    private readonly client: Pick<webApi.WebClient, "usergroups">,
    private readonly clock: Clock,
    private readonly ttlMs = 60_000,
  ) {}

  async membersOf(usergroupId: string): Promise<ReadonlySet<string>> {
    const now = this.clock().getTime();
    const cached = this.cache.get(usergroupId);
    if (cached && cached.until > now) return cached.members;
    const result = await this.client.usergroups.users.list({ usergroup: usergroupId });
    const members: ReadonlySet<string> = new Set(result.users ?? []);
    this.cache.set(usergroupId, { members, until: now + this.ttlMs });
    return members;
  }
}
