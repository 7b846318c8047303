// The deny form's submission: the decision is made against the database as it is now, so a
// request approved or expired while the form was open is refused, in words, to the person.
import type { App } from "@slack/bolt";
import { FORM, VIEWS } from "../../action-ids.js";
import { escapeText } from "../../blocks/text.js";
import { readDenyMetadata } from "../../view-metadata.js";
import { FAULT_MESSAGE, type ListenerDeps } from "../deps.js";
import { tellPerson } from "../tell.js";

export function register(app: App, deps: ListenerDeps): void {
  app.view(VIEWS.denyForm, async ({ ack, body, view, client }) => {
    await ack();
    const metadata = readDenyMetadata(view.private_metadata);
    if (!metadata) {
      await client.chat.postMessage({
        channel: body.user.id,
        text: "That deny form is not one rolegate can read; nothing was changed. Click Deny on the card again.",
      });
      return;
    }
    const { requestId, channel } = metadata;
    const note = view.state.values[FORM.denyReason.block]?.[FORM.denyReason.action]?.value ?? undefined;
    const user = body.user.id;
    const tell = (text: string) => tellPerson(client, user, channel, text);
    try {
      const result = await deps.service.deny(requestId, user, note);
      if (!result.ok) await tell(escapeText(result.refusal.message));
    } catch (error) {
      deps.logger.error("deny failed", { request: requestId, user, error });
      await tell(FAULT_MESSAGE).catch(() => {});
    }
  });
}
