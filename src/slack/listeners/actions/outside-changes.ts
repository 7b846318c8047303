// A change made outside rolegate, decided from its card by the target's approvers (never the
// member): Keep… asks for a reason and accepts it; Revert to <role> files a request to put the
// previous role back, decided like any change; Keep all open… does the first for a whole digest.
// A refusal is said to the person who clicked, in words, and changes nothing.
import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import { memberName } from "../../../inventory/outside-changes.js";
import { ACTIONS, actionsOfKind, FORM, VIEWS } from "../../action-ids.js";
import { keepOutsideForm } from "../../blocks/forms.js";
import { escapeText } from "../../blocks/text.js";
import { readKeepOutsideMetadata } from "../../view-metadata.js";
import { CLICK_FAULT_MESSAGE, type ListenerDeps } from "../deps.js";
import { tellPerson } from "../tell.js";
import { readReasonSubmission } from "../views/reason-submission.js";

type Click = BlockAction<ButtonAction>;

/** A button's value: the id of a change or a card, digits only; anything else is not ours. */
const idOf = (value: string | undefined): bigint | null => (value && /^\d{1,19}$/.test(value) ? BigInt(value) : null);

export function register(app: App, deps: ListenerDeps): void {
  const { outside } = deps;

  app.action<Click>(actionsOfKind(ACTIONS.keepOutside), async ({ ack, body, action, client }) => {
    await ack();
    const tell = (text: string) => tellPerson(client, body.user.id, body.channel?.id, text);
    const id = idOf(action.value);
    if (id === null) return void (await tell("That button is not one rolegate made; nothing was changed."));
    try {
      // Refused before the form opens: nobody types a reason for a click that cannot count.
      const refusal = await outside.refusal(id, body.user.id);
      if (refusal) return void (await tell(escapeText(refusal.message)));
      const change = (await outside.find(id))!;
      await client.views.open({
        trigger_id: body.trigger_id,
        view: keepOutsideForm(
          `${memberName(change)} holds ${change.to?.name ?? "no role"} in ${change.target}, changed outside rolegate${change.from ? ` (was ${change.from.name})` : ""}. Keeping it records that it may stay, and why.`,
          { changeId: id.toString(), cardId: null, channel: body.channel?.id ?? "" },
        ),
      });
    } catch (error) {
      deps.logger.error("keep click failed", { change: id.toString(), error });
      await tell(CLICK_FAULT_MESSAGE).catch(() => {});
    }
  });

  app.action<Click>(ACTIONS.keepAllOutside, async ({ ack, body, action, client }) => {
    await ack();
    const tell = (text: string) => tellPerson(client, body.user.id, body.channel?.id, text);
    const id = idOf(action.value);
    if (id === null) return void (await tell("That button is not one rolegate made; nothing was changed."));
    try {
      await client.views.open({
        trigger_id: body.trigger_id,
        view: keepOutsideForm(
          "Every change on this card still open will be kept with the reason you give — except any about your own access, which another approver decides.",
          { changeId: null, cardId: id.toString(), channel: body.channel?.id ?? "" },
        ),
      });
    } catch (error) {
      deps.logger.error("keep-all click failed", { card: id.toString(), error });
      await tell(CLICK_FAULT_MESSAGE).catch(() => {});
    }
  });

  app.action<Click>(actionsOfKind(ACTIONS.revertOutside), async ({ ack, body, action, client }) => {
    await ack();
    const tell = (text: string) => tellPerson(client, body.user.id, body.channel?.id, text);
    const id = idOf(action.value);
    if (id === null) return void (await tell("That button is not one rolegate made; nothing was changed."));
    try {
      const result = await outside.revert(id, body.user.id);
      await tell(
        result.ok
          ? `Filed request *${result.value.requestId}* to put ${escapeText(memberName(result.value.change))} back as ${escapeText(result.value.change.from?.name ?? "before")}: it is decided on its card like any change.`
          : `Nothing was filed: ${escapeText(result.refusal.message)}`,
      );
    } catch (error) {
      deps.logger.error("revert click failed", { change: id.toString(), error });
      await tell(CLICK_FAULT_MESSAGE).catch(() => {});
    }
  });

  app.view(VIEWS.keepOutsideForm, async (args) => {
    const submitted = await readReasonSubmission(args, {
      input: FORM.keepReason,
      read: readKeepOutsideMetadata,
      missing: "Say why it may stay.",
      button: "Keep",
    });
    if (!submitted) return;
    const { user, reason, metadata } = submitted;
    const { client } = args;
    const tell = (text: string) => tellPerson(client, user, metadata.channel || undefined, text);
    try {
      if (metadata.changeId) {
        const result = await outside.keep(BigInt(metadata.changeId), user, reason);
        if (!result.ok) await tell(escapeText(result.refusal.message));
      } else {
        const result = await outside.keepAll(BigInt(metadata.cardId!), user, reason);
        await tell(result.ok ? `Kept ${result.value} changes.` : escapeText(result.refusal.message));
      }
    } catch (error) {
      deps.logger.error("keeping a change outside rolegate failed", { user, error });
      await tell(CLICK_FAULT_MESSAGE).catch(() => {});
    }
  });
}
