// The Notifier the notice dispatcher talks to, made of Slack calls: the approval card is posted
// once and then edited in place, and the requester gets a DM at the moments that matter to them.
// The dispatcher hands over the request as committed now and delivers one request's notices in
// order, so the card always shows the latest state.
import type { webApi } from "@slack/bolt";
import type { RolegateConfig } from "../config/file.js";
import type { Notice, Notifier } from "../requests/notifier.js";
import type { RequestRepo } from "../requests/store/request-repo.js";
import { approvalCard } from "./blocks/approval-card.js";
import { requesterMessage } from "./blocks/requester-messages.js";

export interface SlackNotifierDeps {
  client: { chat: Pick<webApi.WebClient["chat"], "postMessage" | "update"> };
  repo: Pick<RequestRepo, "setCard">;
  config: Pick<RolegateConfig, "approvalChannel" | "targets">;
}

/** Slack's answers that a retry cannot change. */
const TRANSIENT_PLATFORM_ERRORS = new Set(["ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout", "team_added_to_org"]);

export class SlackNotifier implements Notifier {
  constructor(private readonly deps: SlackNotifierDeps) {}

  async notify({ type, request, actor }: Notice): Promise<void> {
    const { client, repo, config } = this.deps;
    const card = approvalCard(request, config.targets);
    if (request.card) {
      await client.chat.update({ channel: request.card.channel, ts: request.card.ts, text: card.text, blocks: card.blocks });
    } else {
      // Only the "filed" notice finds no card; its post is retried until Slack takes it. A
      // crash between Slack taking it and setCard would post a second card on the retry.
      const posted = await client.chat.postMessage({ channel: config.approvalChannel, text: card.text, blocks: card.blocks, unfurl_links: false, unfurl_media: false });
      // Saved the moment it is posted: every later notice edits this card instead of posting another.
      if (posted.channel && posted.ts) await repo.setCard(request.id, posted.channel, posted.ts);
    }
    const dm = requesterMessage({ type, request, actor }, config.approvalChannel);
    // A user id as the channel posts in the app's DM with that person (chat:write is enough).
    if (dm) await client.chat.postMessage({ channel: request.requesterId, text: dm, unfurl_links: false, unfurl_media: false });
  }

  /** A platform error Slack will answer the same way next time (invalid_blocks, channel_not_found …). */
  isPermanent(error: unknown): boolean {
    const { code, data } = (error ?? {}) as { code?: string; data?: { error?: string } };
    return code === "slack_webapi_platform_error" && !TRANSIENT_PLATFORM_ERRORS.has(data?.error ?? "");
  }
}
