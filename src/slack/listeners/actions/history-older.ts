// "Older requests" under a /role history answer: the next page, below the last row shown,
// among what the person clicking may see, as another private reply.
import type { App, BlockAction, ButtonAction } from "@slack/bolt";
import { viewerOf } from "../../../requests/visibility.js";
import { ACTIONS } from "../../action-ids.js";
import { historyMessage } from "../../blocks/history.js";
import { decodePage, olderPage } from "../../history-page.js";
import { FAULT_MESSAGE, type ListenerDeps } from "../deps.js";

export function register(app: App, deps: ListenerDeps): void {
  app.action<BlockAction<ButtonAction>>(ACTIONS.historyOlder, async ({ ack, body, action, respond }) => {
    await ack();
    const reply = (message: { text: string; blocks?: ReturnType<typeof historyMessage>["blocks"] }) =>
      respond({ response_type: "ephemeral", replace_original: false, ...message });
    const page = decodePage(action.value ?? "");
    if (!page) return void (await reply({ text: "That button is not one rolegate made; run `/role history` again." }));
    try {
      const viewer = await viewerOf(body.user.id, deps.config, deps.policy);
      const requests = await deps.history.list(
        page.query,
        page.limit,
        { viewer, allTargets: [...deps.config.targets.keys()] },
        page.before,
      );
      const message = historyMessage(requests, `${page.heading}, older`, page.note, (shown) =>
        olderPage(page, shown, requests.length),
      );
      await reply({ text: message.text, blocks: message.blocks });
    } catch (error) {
      deps.logger.error("older history failed", { user: body.user.id, error });
      await reply({ text: FAULT_MESSAGE }).catch(() => {});
    }
  });
}
