// Approve, Deny and Retry on the approval card (and Approve, Deny, Cancel in App Home). Each click is acknowledged at once; the
// decision is made against the database as it is at that moment (the button carries only the
// request id), and a refusal is an ephemeral message to the person who clicked. The card itself
// is updated by the notifier, after the decision is committed.
import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import type { Result } from "../../../requests/refusals.js";
import type { RoleRequest } from "../../../requests/types.js";
import { ACTIONS, actionsOfKind } from "../../action-ids.js";
import { summary } from "../../blocks/approval-card.js";
import { denyForm } from "../../blocks/forms.js";
import { escapeText } from "../../blocks/text.js";
import { CLICK_FAULT_MESSAGE, type ListenerDeps } from "../deps.js";
import { duplicateNotice } from "../../posted-cards.js";
import { tellPerson } from "../tell.js";

type Click = BlockAction<ButtonAction>;

export function register(app: App, deps: ListenerDeps): void {
  app.action<Click>(ACTIONS.approve, async ({ ack, body, action, client }) => {
    await ack();
    const decided = await decide(client, body, deps, () => deps.service.approve(action.value ?? "", body.user.id));
    await retireIfCopy(client, body, action.value ?? "", deps, decided);
  });

  app.action<Click>(actionsOfKind(ACTIONS.retry), async ({ ack, body, action, client }) => {
    await ack();
    const decided = await decide(client, body, deps, () => deps.service.retry(action.value ?? "", body.user.id));
    await retireIfCopy(client, body, action.value ?? "", deps, decided);
  });

  // "Cancel" beside one of the requester's open requests in App Home.
  app.action<Click>(ACTIONS.cancel, async ({ ack, body, action, client }) => {
    await ack();
    await decide(client, body, deps, () => deps.service.cancel(action.value ?? "", body.user.id));
  });

  // "End now" on a time-bound grant's card, "I'm done" in the requester's DM.
  app.action<Click>(ACTIONS.endEarly, async ({ ack, body, action, client }) => {
    await ack();
    const id = action.value ?? "";
    await retireIfCopy(client, body, id, deps);
    try {
      const result = await deps.service.endEarly(id, body.user.id);
      await ephemeral(
        client,
        body,
        result.ok
          ? `Ending request ${escapeText(id)} now: each member goes back to their previous role. The card shows when it is done.`
          : escapeText(result.refusal.message),
      );
    } catch (error) {
      deps.logger.error("ending a grant early failed", { request: id, user: body.user.id, error });
      await ephemeral(client, body, CLICK_FAULT_MESSAGE).catch(() => {});
    }
  });

  // "Extend" in the "ending soon" DM: a new request for more time, decided like any other.
  app.action<Click>(ACTIONS.extend, async ({ ack, body, action, client }) => {
    await ack();
    const id = action.value ?? "";
    try {
      const result = await deps.filing.extend(id, body.user.id);
      await ephemeral(
        client,
        body,
        result.ok
          ? `Asked for more time: request *${result.value.id}* extends ${escapeText(id)} once approved. I'll DM you as it moves.`
          : `Not extended: ${escapeText(result.refusal.message)}`,
      );
    } catch (error) {
      deps.logger.error("extending a grant failed", { request: id, user: body.user.id, error });
      await ephemeral(client, body, CLICK_FAULT_MESSAGE).catch(() => {});
    }
  });

  // Deny asks for an optional reason first — unless the click would be refused anyway.
  app.action<Click>(ACTIONS.deny, async ({ ack, body, action, client }) => {
    await ack();
    const id = action.value ?? "";
    const tell = (text: string) => ephemeral(client, body, text);
    let request: RoleRequest | null = null;
    try {
      request = await deps.service.find(id);
      if (!request) return void (await tell(`There is no request ${escapeText(id)}.`));
      if (await deps.service.denyWouldBeRefused(id, body.user.id)) {
        // Let the domain phrase (and record) the refusal, exactly as a submitted deny would be.
        const refused = await deps.service.deny(id, body.user.id);
        if (!refused.ok) await tell(escapeText(refused.refusal.message));
        return;
      }
      await client.views.open({
        trigger_id: body.trigger_id,
        view: denyForm(id, `Deny request ${id}: ${summary(request)}?`, {
          requestId: id,
          channel: body.channel?.id ?? "",
        }),
      });
    } catch (error) {
      deps.logger.error("deny click failed", { request: id, error });
      await tell(CLICK_FAULT_MESSAGE).catch(() => {});
    } finally {
      // After the form is open: a trigger_id lasts only 3 s.
      if (request) await retireIfCopy(client, body, id, deps, request);
    }
  });
}

async function decide(
  client: App["client"],
  body: Click,
  deps: ListenerDeps,
  run: () => Promise<Result<RoleRequest>>,
): Promise<RoleRequest | undefined> {
  try {
    const result = await run();
    if (result.ok) return result.value;
    await ephemeral(client, body, escapeText(result.refusal.message));
  } catch (error) {
    deps.logger.error("decision failed", { user: body.user.id, error });
    await ephemeral(client, body, CLICK_FAULT_MESSAGE).catch(() => {});
  }
  return undefined;
}

/**
 * A click on a copy of a card that is not the request's card (posted twice: posted-cards.ts)
 * redraws that copy as a pointer to the card, without buttons, so it never shows a stale state.
 */
async function retireIfCopy(
  client: App["client"],
  body: Click,
  requestId: string,
  deps: ListenerDeps,
  known?: RoleRequest,
): Promise<void> {
  const channel = body.channel?.id;
  const ts = body.message?.ts;
  if (!channel || !ts) return;
  try {
    // The request as a decision just committed it, when there was one: no second read.
    const card = (known ?? (await deps.service.find(requestId)))?.card;
    if (!card || card.channel !== channel || card.ts === ts) return;
    await client.chat.update({ channel, ts, ...duplicateNotice(requestId, card) });
  } catch (error) {
    deps.logger.warn("could not retire a copy of a card", { request: requestId, error });
  }
}

const ephemeral = (client: App["client"], body: Click, text: string) =>
  tellPerson(client, body.user.id, body.channel?.id, text);
