// The Notifier the domain talks to, made of Slack calls: the approval card is posted once and
// then edited in place, and the requester gets a DM at the moments that matter to them.
import type { webApi } from "@slack/bolt";
import type { RolegateConfig } from "../config/file.js";
import type { Notice, Notifier } from "../requests/notifier.js";
import type { RequestRepo } from "../requests/request-repo.js";
import { approvalCard } from "./blocks/approval-card.js";
import { requesterMessage } from "./blocks/requester-messages.js";

export interface SlackNotifierDeps {
  client: { chat: Pick<webApi.WebClient["chat"], "postMessage" | "update"> };
  repo: Pick<RequestRepo, "find" | "setCard">;
  config: Pick<RolegateConfig, "approvalChannel" | "targets">;
}

export class SlackNotifier implements Notifier {
  /** One delivery at a time per request, so a slow early update cannot land after a later one. */
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(private readonly deps: SlackNotifierDeps) {}

  notify(notice: Notice): Promise<void> {
    const id = notice.request.id;
    const previous = this.inFlight.get(id) ?? Promise.resolve();
    const next = previous.catch(() => {}).then(() => this.deliver(notice));
    this.inFlight.set(id, next);
    void next.catch(() => {}).finally(() => {
      if (this.inFlight.get(id) === next) this.inFlight.delete(id);
    });
    return next;
  }

  private async deliver(notice: Notice): Promise<void> {
    const { client, repo, config } = this.deps;
    // Render what is committed now, not what the notice carried: notices can overtake each other.
    const request = (await repo.find(notice.request.id)) ?? notice.request;
    const card = approvalCard(request, config.targets);
    if (request.card) {
      await client.chat.update({ channel: request.card.channel, ts: request.card.ts, text: card.text, blocks: card.blocks });
    } else {
      // Normally only the filing process gets here. Another process could post a second card
      // only if this first post failed and the request still moved on — which needs a click
      // on the missing card's buttons — so the narrow case left is a cancel or an expiry
      // racing the owed-notice retry across two processes; it would post one extra card.
      const posted = await client.chat.postMessage({ channel: config.approvalChannel, text: card.text, blocks: card.blocks, unfurl_links: false, unfurl_media: false });
      // Saved the moment it is posted: every later event edits this card instead of posting another.
      if (posted.channel && posted.ts) await repo.setCard(request.id, posted.channel, posted.ts);
    }
    const dm = requesterMessage({ ...notice, request }, config.approvalChannel);
    // A user id as the channel posts in the app's DM with that person (chat:write is enough).
    if (dm) await client.chat.postMessage({ channel: request.requesterId, text: dm, unfurl_links: false, unfurl_media: false });
  }
}
