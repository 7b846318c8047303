// A revert that failed, settled by an approver (never its member) from the grant's card: Take
// back files a new request to put the member in their pre-grant role, decided like any change;
// Accept as is… asks for a reason, then records that the role may stay. Either way the audit
// trail says who settled it and how, and the card stops crying 🚨 once it is settled.
import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import { ACTIONS, actionsOfKind, FORM, VIEWS } from "../../action-ids.js";
import { acceptRevertForm } from "../../blocks/forms.js";
import { escapeText } from "../../blocks/text.js";
import { readAcceptRevertMetadata } from "../../view-metadata.js";
import { CLICK_FAULT_MESSAGE, type ListenerDeps } from "../deps.js";
import { tellPerson } from "../tell.js";
import { readReasonSubmission } from "../views/reason-submission.js";

type Click = BlockAction<ButtonAction>;

export function register(app: App, deps: ListenerDeps): void {
  app.action<Click>(actionsOfKind(ACTIONS.takeBack), async ({ ack, body, action, client }) => {
    await ack();
    const id = action.value ?? "";
    const tell = (text: string) => tellPerson(client, body.user.id, body.channel?.id, text);
    try {
      const result = await deps.filing.takeBack(id, body.user.id);
      await tell(
        result.ok
          ? `Filed request *${result.value.id}* to put ${escapeText(result.value.members[0]?.ref ?? "the member")} back as ${escapeText(result.value.requestedRole.name)}: another approver decides it on its card.`
          : `Nothing was filed: ${escapeText(result.refusal.message)}`,
      );
    } catch (error) {
      deps.logger.error("taking back a failed revert failed", { request: id, user: body.user.id, error });
      await tell(CLICK_FAULT_MESSAGE).catch(() => {});
    }
  });

  app.action<Click>(actionsOfKind(ACTIONS.acceptRevert), async ({ ack, body, action, client }) => {
    await ack();
    const id = action.value ?? "";
    const tell = (text: string) => tellPerson(client, body.user.id, body.channel?.id, text);
    try {
      // Refused before the form opens: nobody types a reason for a click that cannot count.
      const refusal = await deps.service.resolveRefusal(id, body.user.id);
      if (refusal) return void (await tell(escapeText(refusal.message)));
      const revert = (await deps.service.find(id))!;
      const summary = `${revert.members[0]?.ref ?? "The member"} still holds what ${revert.revertOf} granted: rolegate could not put them back as ${revert.requestedRole.name} (${revert.failureDetail ?? "no detail"}).`;
      await client.views.open({
        trigger_id: body.trigger_id,
        view: acceptRevertForm(summary, { revertId: id, channel: body.channel?.id ?? "" }),
      });
    } catch (error) {
      deps.logger.error("accept click failed", { request: id, error });
      await tell(CLICK_FAULT_MESSAGE).catch(() => {});
    }
  });

  app.view(VIEWS.acceptRevertForm, async (args) => {
    const submitted = await readReasonSubmission(args, {
      input: FORM.acceptReason,
      read: readAcceptRevertMetadata,
      missing: "Say why the role may stay as it is.",
      button: "Accept",
    });
    if (!submitted) return;
    const { user, reason, metadata } = submitted;
    const { client } = args;
    try {
      const result = await deps.service.acceptRevert(metadata.revertId, user, reason);
      if (!result.ok) await tellPerson(client, user, metadata.channel, escapeText(result.refusal.message));
    } catch (error) {
      deps.logger.error("accepting a failed revert failed", { request: metadata.revertId, user, error });
      await tellPerson(client, user, metadata.channel, CLICK_FAULT_MESSAGE).catch(() => {});
    }
  });
}
