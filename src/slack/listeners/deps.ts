// What the Slack listeners need from the rest of rolegate, typed as the slices they use.
import type { Clock } from "../../clock.js";
import type { RolegateConfig } from "../../config/file.js";
import type { InventoryDesk } from "../../inventory/inventory-desk.js";
import type { OutsideChangeDecisions } from "../../inventory/outside-changes.js";
import type { Logger } from "../../logger.js";
import type { ApprovalPolicy } from "../../requests/approval-policy.js";
import type { Filing } from "../../requests/filing.js";
import type { SlackUserEmails } from "../../requests/own-access.js";
import type { RequestHistory } from "../../requests/history.js";
import type { RequestService } from "../../requests/request-service.js";
import type { ConnectorRegistry } from "../../vendors/connector.js";
import type { HomeRefresher } from "../home-refresher.js";
import type { Installation } from "../slack-connection.js";

export interface ListenerDeps {
  service: Pick<
    RequestService,
    | "approve"
    | "deny"
    | "denyWouldBeRefused"
    | "cancel"
    | "retry"
    | "find"
    | "endEarly"
    | "acceptRevert"
    | "resolveRefusal"
  >;
  filing: Pick<Filing, "file" | "takeBack" | "extend">;
  /** Changes made outside rolegate: Keep and Revert. */
  outside: Pick<OutsideChangeDecisions, "find" | "refusal" | "keep" | "revert" | "keepAll">;
  /** /role who and /role sync. */
  inventory: Pick<InventoryDesk, "who" | "sync">;
  history: RequestHistory;
  policy: Pick<ApprovalPolicy, "mayDecide">;
  connectors: ConnectorRegistry;
  slackUsers: SlackUserEmails;
  home: Pick<HomeRefresher, "opened">;
  config: Pick<RolegateConfig, "targets" | "approvalChannel">;
  clock: Clock;
  logger: Logger;
  /** The installation the bot token belongs to (the workspace guard); undefined until Slack has said. */
  installation: () => Installation | undefined;
  /** How long a form submission waits for the vendor before answering and going on in the background. */
  formBudgetMs?: number;
}

/** Said when a fault, not the person, stopped something; the log has the details. */
export const FAULT_MESSAGE =
  "rolegate could not do that just now: its database or a service it depends on is not answering. Nothing was changed; please try again in a minute.";

/**
 * Said for a click that a fault stopped: the click was acknowledged (Slack needs that within 3 s)
 * but not recorded, and nothing on the card shows that — so the person is told to click again.
 */
export const CLICK_FAULT_MESSAGE =
  "Your click was not recorded: rolegate's database or a service it depends on did not answer. Nothing was changed; please click again in a minute.";
