// A Slack mention names a person; vendors know people by email. users.info gives the email
// (with the users:read.email scope); it is cached for a while, as emails rarely change.
import type { webApi } from "@slack/bolt";
import type { Clock } from "../clock.js";
import type { SlackUserEmails } from "../requests/own-access.js";

export class SlackUsers implements SlackUserEmails {
  private readonly cache = new Map<string, { email: string | null; until: number }>();

  constructor(
    private readonly client: { users: Pick<webApi.WebClient["users"], "info"> },
    private readonly clock: Clock,
    private readonly ttlMs = 10 * 60_000,
  ) {}

  async emailOf(userId: string): Promise<string | null> {
    const now = this.clock().getTime();
    const cached = this.cache.get(userId);
    if (cached && cached.until > now) return cached.email;
    const result = await this.client.users.info({ user: userId });
    const email = result.user?.profile?.email ?? null;
    this.cache.set(userId, { email, until: now + this.ttlMs });
    return email;
  }
}
