// Approvers named by user group are checked against Slack at decision time. Membership is
// cached briefly: long enough that a burst of clicks costs one call, short enough that a person
// removed from the group loses the right to approve within a minute.
import type { webApi } from "@slack/bolt";
import type { Clock } from "../clock.js";
import type { UsergroupDirectory } from "../requests/approval-policy.js";
import { TtlCache } from "../ttl-cache.js";

export class SlackUsergroupDirectory implements UsergroupDirectory {
  private readonly members: TtlCache<string, ReadonlySet<string>>;

  constructor(
    private readonly client: Pick<webApi.WebClient, "usergroups">,
    clock: Clock,
    ttlMs = 60_000,
  ) {
    this.members = new TtlCache(ttlMs, () => clock().getTime());
  }

  membersOf(usergroupId: string): Promise<ReadonlySet<string>> {
    return this.members.get(usergroupId, async () => {
      const result = await this.client.usergroups.users.list({ usergroup: usergroupId });
      return new Set(result.users ?? []);
    });
  }
}
