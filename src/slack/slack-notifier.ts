// The Notifier the notice dispatcher talks to, made of Slack calls: the approval card is posted
// once and then edited in place, and the requester gets a DM at the moments that matter to them.
// The dispatcher hands over the request as committed now and delivers one request's notices in
// order, so the card always shows the latest state. A revert (the end of a time-bound grant)
// has no card of its own: its notices redraw its grant's card, and one that fails is DMed to
// the requester and every approver of the target. Every post waits its turn in its channel
// (SlackPacer): a notice whose channel is busy steps aside rather than hold up the others.
import type { types, webApi } from "@slack/bolt";
import { approvalChannelFor, type RolegateConfig } from "../config/file.js";
import type { ApprovalPolicy } from "../requests/approval-policy.js";
import { SENT, type Delivery, type Notice, type Notifier } from "../requests/notifier.js";
import type { RequestHistory } from "../requests/history.js";
import type { RoleRequest } from "../requests/types.js";
import { ACTIONS } from "./action-ids.js";
import { approvalCard } from "./blocks/approval-card.js";
import { approversText } from "./blocks/approvers.js";
import { revertMessage } from "./blocks/grant-messages.js";
import { requesterMessage } from "./blocks/requester-messages.js";
import { LIMITS, mrkdwn, plain, slackDate } from "./blocks/text.js";
import { whoCanDecide } from "./blocks/approvers.js";
import type { HomeRefresher } from "./home-refresher.js";
import { cardMetadata, duplicateNotice, findPostedCards, type HistoryClient } from "./posted-cards.js";
import { SlackPacer } from "./slack-pacer.js";

export interface SlackNotifierDeps {
  /** Best built to answer a 429 at once (rejectRateLimitedCalls): the pacer decides when to try again. */
  client: { chat: Pick<webApi.WebClient["chat"], "postMessage" | "update"> } & HistoryClient;
  /** The request as stored, and where its card is (the store's RequestRepo). */
  repo: {
    find(id: string): Promise<RoleRequest | null>;
    setCard(id: string, channel: string, ts: string): Promise<void>;
  };
  history: Pick<RequestHistory, "revertsOf">;
  policy: Pick<ApprovalPolicy, "approversOf" | "approversFor">;
  config: Pick<RolegateConfig, "approvalChannel" | "targets">;
  /** Told of every delivered notice, to redraw the App Home tabs that show the request. */
  home?: Pick<HomeRefresher, "changed">;
  /** This app's bot (auth.test), whose messages alone can be its cards; undefined until Slack has said. */
  ownBotId?: () => string | undefined;
  /** Turns in busy channels; absent, posts go at once and only Slack's 429 holds them back. */
  pacer?: SlackPacer;
}

type PostArguments = webApi.ChatPostMessageArguments & { channel: string };

/** Slack's errors a later try may get past (its limits, its own faults): never given up on as permanent. */
const TRANSIENT_PLATFORM_ERRORS = new Set([
  "ratelimited",
  "internal_error",
  "fatal_error",
  "service_unavailable",
  "request_timeout",
  "team_added_to_org",
]);

/** Inside the notifier only: the notice's turn in a channel has not come (notify() returns "later"). */
class NotYourTurn extends Error {
  constructor(
    readonly afterMs: number,
    message: string,
  ) {
    super(message);
  }
}

export class SlackNotifier implements Notifier {
  private readonly pacer: SlackPacer;

  constructor(private readonly deps: SlackNotifierDeps) {
    this.pacer = deps.pacer ?? new SlackPacer(0);
  }

  async notify(notice: Notice): Promise<Delivery> {
    try {
      await this.deliver(notice);
      return SENT;
    } catch (error) {
      // A turn not yet come ends the delivery wherever it is met, deep in a card's redraw or a
      // DM: thrown there, it is a value here.
      if (error instanceof NotYourTurn) return { kind: "later", afterMs: error.afterMs, why: error.message };
      throw error;
    }
  }

  private async deliver(notice: Notice): Promise<void> {
    const { request } = notice;
    const grant = request.revertOf ? await this.deps.repo.find(request.revertOf) : request;
    if (!grant) throw new Error(`the grant ${request.revertOf} of revert ${request.id} is gone`);
    const reverts = grant.durationSeconds !== null ? await this.deps.history.revertsOf(grant.id) : [];
    const owner = notice.deliveryId ?? `${request.id} ${notice.type}`;
    await this.drawCard(grant, reverts, owner, notice.triedBefore === true && !request.revertOf);
    if (request.revertOf) await this.tellOfRevert(notice.type, request, grant, owner);
    else if (notice.type === "reminder" || notice.type === "escalated")
      await this.chaseInThread(notice.type, request, owner);
    else await this.tellRequester(notice, reverts, owner);
    await this.deps.home?.changed(grant);
  }

  /** A platform error Slack will answer the same way next time (invalid_blocks, channel_not_found …). */
  isPermanent(error: unknown): boolean {
    const { code, data } = (error ?? {}) as { code?: string; data?: { error?: string } };
    return code === "slack_webapi_platform_error" && !TRANSIENT_PLATFORM_ERRORS.has(data?.error ?? "");
  }

  private async drawCard(
    request: RoleRequest,
    reverts: RoleRequest[],
    owner: string,
    triedBefore: boolean,
  ): Promise<void> {
    const { client, repo, config } = this.deps;
    const extended = request.extendsGrant ? await repo.find(request.extendsGrant) : null;
    const card = approvalCard(request, config.targets, reverts, extended);
    const update = (channel: string, ts: string) =>
      this.rateLimited(channel, owner, () => client.chat.update({ channel, ts, text: card.text, blocks: card.blocks }));
    if (request.card) return void (await update(request.card.channel, request.card.ts));
    const channel = approvalChannelFor(config, request.target);
    // Only the "filed" notice finds no card. Should an earlier try of it have reached Slack, the
    // card may be there already: found, it is the card (posted-cards.ts explains).
    const botId = this.deps.ownBotId?.();
    if (triedBefore && botId) {
      // Slack refusing the lookup for good (an app installed before it had channels:history)
      // leaves the old way: post, and retire a copy when clicked.
      const found = await findPostedCards(client, channel, request, botId).catch((error: unknown) => {
        if (this.isPermanent(error)) return [];
        throw error;
      });
      const [first, ...copies] = found;
      if (first) {
        await repo.setCard(request.id, channel, first);
        for (const ts of copies)
          await this.rateLimited(channel, owner, () =>
            client.chat.update({ channel, ts, ...duplicateNotice(request.id, { channel, ts: first }) }),
          );
        return void (await update(channel, first));
      }
    }
    const posted = await this.post(owner, {
      channel,
      text: card.text,
      blocks: card.blocks,
      metadata: cardMetadata(request.id),
      unfurl_links: false,
      unfurl_media: false,
    });
    // Saved the moment it is posted: every later notice edits this card instead of posting another.
    if (posted.channel && posted.ts) await repo.setCard(request.id, posted.channel, posted.ts);
  }

  private async tellRequester(notice: Notice, reverts: RoleRequest[], owner: string): Promise<void> {
    const { config, policy } = this.deps;
    const target = config.targets.get(notice.request.target);
    const text = requesterMessage(
      notice,
      approvalChannelFor(config, notice.request.target),
      target ? approversText(policy.approversFor(target)) : null,
    );
    if (!text) return;
    const { request } = notice;
    // A running time-bound grant: the requester can end it when done, or ask for more time.
    const running = request.durationSeconds !== null && reverts.some((r) => r.status === "APPROVED");
    const buttons: types.Button[] = [];
    if (running && notice.type === "ending_soon")
      buttons.push({
        type: "button",
        action_id: ACTIONS.extend,
        text: plain("Extend", LIMITS.buttonText),
        style: "primary",
        value: request.id,
      });
    if (running && (notice.type === "applied" || notice.type === "ending_soon" || notice.type === "extended")) {
      buttons.push({
        type: "button",
        action_id: ACTIONS.endEarly,
        text: plain("I'm done", LIMITS.buttonText),
        value: request.id,
      });
    }
    const blocks: types.KnownBlock[] | undefined =
      buttons.length > 0
        ? [
            { type: "section", text: mrkdwn(text) },
            { type: "actions", block_id: `grant_${request.id}`, elements: buttons },
          ]
        : undefined;
    await this.dm(owner, request.requesterId, text, blocks);
  }

  /** A reply in the card's thread, mentioning who can decide now, so they are notified again. */
  private async chaseInThread(type: "reminder" | "escalated", request: RoleRequest, owner: string): Promise<void> {
    const target = this.deps.config.targets.get(request.target);
    if (!request.card || !target) return;
    const text =
      type === "reminder"
        ? `⏰ Still waiting for a decision on ${request.id} (expires ${slackDate(request.expiresAt)}): ${whoCanDecide(target, this.deps.policy, request.escalatedAt !== null)}.`
        : `⏫ Nobody decided ${request.id} in time: ${target.escalateTo ? approversText(target.escalateTo) : "the escalation approvers"} may decide it now too.`;
    await this.post(owner, {
      channel: request.card.channel,
      thread_ts: request.card.ts,
      text,
      unfurl_links: false,
      unfurl_media: false,
    });
  }

  private async tellOfRevert(
    type: Notice["type"],
    revert: RoleRequest,
    grant: RoleRequest,
    owner: string,
  ): Promise<void> {
    const text = revertMessage(type, revert, grant);
    if (!text) return;
    const recipients = new Set([grant.requesterId]);
    // Access that could not be taken back is every approver's business.
    if (type === "failed") for (const id of await this.deps.policy.approversOf(grant.target)) recipients.add(id);
    // Every recipient's turn first: a DM sent before another one stepped aside would be sent
    // again when the notice comes back.
    const wait = Math.max(...[...recipients].map((user) => this.pacer.turn(user, owner)));
    if (wait > 0)
      throw new NotYourTurn(wait, "a recipient's DM is busy: Slack takes about one message a second in a channel");
    for (const user of recipients) await this.dm(owner, user, text, undefined, { turnTaken: true });
  }

  /** A user id as the channel posts in the app's DM with that person (chat:write is enough). */
  private async dm(
    owner: string,
    user: string,
    text: string,
    blocks?: types.KnownBlock[],
    turn?: { turnTaken: boolean },
  ): Promise<void> {
    await this.post(
      owner,
      { channel: user, text, ...(blocks ? { blocks } : {}), unfurl_links: false, unfurl_media: false },
      turn,
    );
  }

  /** chat.postMessage in `owner`'s turn in the channel (unless taken already); not yet its turn: NotYourTurn. */
  private async post(
    owner: string,
    args: PostArguments,
    { turnTaken = false } = {},
  ): Promise<webApi.ChatPostMessageResponse> {
    const wait = turnTaken ? 0 : this.pacer.turn(args.channel, owner);
    if (wait > 0)
      throw new NotYourTurn(wait, `${args.channel} is busy: Slack takes about one message a second in a channel`);
    return this.rateLimited(args.channel, owner, () => this.deps.client.chat.postMessage(args));
  }

  /** Slack's 429: the channel's next turn moves past its Retry-After, and the notice waits for it. */
  private async rateLimited<T>(channel: string, owner: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      const { code, retryAfter } = (error ?? {}) as { code?: string; retryAfter?: number };
      if (code !== "slack_webapi_rate_limited_error") throw error;
      const wait = this.pacer.pushBack(channel, (retryAfter ?? 1) * 1_000, owner);
      throw new NotYourTurn(wait, `Slack answered 429 for ${channel}: retry after ${retryAfter ?? 1} s`);
    }
  }
}
