// A Slack mention names a person; vendors know people by email. users.info gives the email
// (with the users:read.email scope); it is cached for a while, as emails rarely change.
import type { webApi } from "@slack/bolt";
import type { Clock } from "../clock.js";
import type { SlackUserEmails } from "../requests/own-access.js";
import { TtlCache } from "../ttl-cache.js";

export class SlackUsers implements SlackUserEmails {
  private readonly emails: TtlCache<string, string | null>;

  constructor(
    private readonly client: { users: Pick<webApi.WebClient["users"], "info"> },
    clock: Clock,
    ttlMs = 10 * 60_000,
  ) {
    this.emails = new TtlCache(ttlMs, () => clock().getTime());
  }

  emailOf(userId: string): Promise<string | null> {
    return this.emails.get(userId, async () => {
      const result = await this.client.users.info({ user: userId });
      return result.user?.profile?.email ?? null;
    });
  }
}
