// A card is posted once. Slack's chat.postMessage has no idempotency key: a post Slack carried
// out but whose answer was lost (a timeout, a reset connection, a process that died before it
// recorded the card) looks like a failure, and posting again would leave two cards — the second
// one updated, the first one "waiting for approval" with live buttons forever.
//
// So every card carries message metadata naming its request, and a card whose earlier post may
// have reached Slack is first looked for in the approval channel's recent history: found, it is
// recorded and edited; any further copy is retired — redrawn as a pointer to the card, without
// buttons. A copy that appears anyway (Slack carrying out the lost post later still) is retired
// the first time anyone clicks on it (listeners/actions/decisions.ts).
import type { types, webApi } from "@slack/bolt";
import type { RoleRequest } from "../requests/types.js";
import { mrkdwn } from "./blocks/text.js";

/** The metadata event type rolegate's cards carry. */
export const CARD_EVENT = "rolegate_card";

/** How far back the history is read, in pages of 200 messages: a busy channel's last 1,000. */
const PAGES = 5;

export type HistoryClient = { conversations: Pick<webApi.WebClient["conversations"], "history"> };

export function cardMetadata(requestId: string): { event_type: string; event_payload: { request: string } } {
  return { event_type: CARD_EVENT, event_payload: { request: requestId } };
}

/**
 * The cards this bot posted for `request` in `channel`, oldest first (normally none or one).
 * Only its own: another app in the workspace can post a message with the same metadata, and
 * rolegate must never take that message for its card.
 */
export async function findPostedCards(
  client: HistoryClient,
  channel: string,
  request: Pick<RoleRequest, "id" | "createdAt">,
  botId: string,
): Promise<string[]> {
  // A card is posted after its request was filed; a minute's slack for clocks that disagree.
  const oldest = ((request.createdAt.getTime() - 60_000) / 1000).toFixed(6);
  const found: string[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < PAGES; page++) {
    const result = await client.conversations.history({
      channel,
      oldest,
      limit: 200,
      include_all_metadata: true,
      ...(cursor ? { cursor } : {}),
    });
    for (const message of result.messages ?? []) {
      const metadata = message.metadata as { event_type?: string; event_payload?: { request?: unknown } } | undefined;
      const ours = message.bot_id === botId && metadata?.event_type === CARD_EVENT;
      if (message.ts && ours && metadata.event_payload?.request === request.id) found.push(message.ts);
    }
    cursor = result.response_metadata?.next_cursor || undefined;
    if (!cursor) break;
  }
  return found.sort((a, b) => Number(a) - Number(b));
}

/** What a retired copy of a card shows: where the card is, and no buttons. */
export function duplicateNotice(
  requestId: string,
  card: { channel: string; ts: string },
): { text: string; blocks: types.KnownBlock[] } {
  const link = `https://slack.com/archives/${card.channel}/p${card.ts.replace(".", "")}`;
  const text = `This is a copy of the card for request ${requestId}, posted twice; the card that stays up to date is <${link}|here>.`;
  return { text, blocks: [{ type: "section", text: mrkdwn(text) }] };
}
