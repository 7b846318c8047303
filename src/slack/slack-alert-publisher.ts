// Posts and redraws the cards of changes outside rolegate (blocks/outside-changes.ts), taking
// its turn in the channel like every other post, so a sync's card never jumps Slack's pace.
import type { webApi } from "@slack/bolt";
import { sleep } from "../clock.js";
import type { AlertCard } from "../inventory/outside-changes.js";
import type { AlertCardPublisher } from "../inventory/alert-delivery.js";
import { outsideChangeCard } from "./blocks/outside-changes.js";
import type { SlackPacer } from "./slack-pacer.js";

const OWNER = "alert-cards";

export class SlackAlertPublisher implements AlertCardPublisher {
  constructor(
    private readonly client: webApi.WebClient,
    private readonly pacer: SlackPacer,
  ) {}

  async post(channel: string, card: AlertCard): Promise<string> {
    await sleep(this.pacer.turn(channel, OWNER));
    const answer = await this.client.chat.postMessage({ channel, ...outsideChangeCard(card), unfurl_links: false });
    if (!answer.ts) throw new Error("Slack answered chat.postMessage without a ts");
    return answer.ts;
  }

  async update(channel: string, ts: string, card: AlertCard): Promise<void> {
    await this.client.chat.update({ channel, ts, ...outsideChangeCard(card) });
  }
}
