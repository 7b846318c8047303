// How a time-bound grant reads on its card and in DMs: "Admin for 4h", until when, and what
// became of its reverts. A revert that could not take the access back is said loudly: an
// elevated role that outlives its grant must never go unnoticed.
import type { types } from "@slack/bolt";
import type { RoleRequest } from "../../requests/types.js";
import { durationText } from "../../requests/durations.js";
import { ACTIONS, actionIdFor } from "../action-ids.js";
import { mention, plain, LIMITS, slackDate, userText } from "./text.js";

/** " for 4h", with " (until …)" once the clock has started; "" for a permanent change. */
export function forHowLong(request: Pick<RoleRequest, "durationSeconds" | "grantEndsAt" | "extendsGrant">): string {
  if (request.durationSeconds === null) return "";
  if (request.extendsGrant) return ` for ${durationText(request.durationSeconds)} more`;
  const until = request.grantEndsAt ? ` (until ${slackDate(request.grantEndsAt, "{time} {date_short}")})` : "";
  return ` for ${durationText(request.durationSeconds)}${until}`;
}

export type GrantState = "running" | "ending" | "ended" | "revert_failed";

/** A revert that failed and that no approver has settled yet: access still not taken back. */
const unsettled = (revert: RoleRequest) => revert.status === "FAILED" && revert.resolution === null;

/**
 * Where a grant's reverts stand; null for anything that is not a time-bound grant that changed
 * someone — applied, or failed (or waiting to retry) after changing some of its members.
 */
export function grantState(request: RoleRequest, reverts: readonly RoleRequest[]): GrantState | null {
  // Nothing to take back (every member already had the role, or an extension): no grant state.
  if (request.durationSeconds === null || request.revertOf !== null || reverts.length === 0) return null;
  if (reverts.some(unsettled)) return "revert_failed";
  if (reverts.every((r) => r.status === "APPLIED" || r.status === "FAILED")) return "ended";
  if (reverts.some((r) => r.status === "EXECUTING" || r.attempts > 0)) return "ending";
  return "running";
}

/** The line under a grant's card saying how its access ends, or ended. */
export function grantLine(request: RoleRequest, reverts: readonly RoleRequest[]): string | null {
  const state = grantState(request, reverts);
  const until = request.grantEndsAt ? slackDate(request.grantEndsAt) : "soon";
  const member = (r: RoleRequest) => userText(r.members[0]?.ref ?? r.id, 200);
  switch (state) {
    case null:
      return null;
    case "running":
      return request.status === "APPLIED"
        ? `⏱️ Time-bound: each member goes back to their previous role ${until}.`
        : `⏱️ Time-bound: each member it changed goes back to their previous role ${until}.`;
    case "ending":
      return "⏱️ Time is up: rolegate is putting each member back in their previous role.";
    case "ended": {
      const settled = reverts.filter((r) => r.resolution !== null);
      if (settled.length === 0) return `⏱️ Ended ${until}: every member is back in their previous role.`;
      const how = settled
        .map((r) => `${member(r)}: ${userText(r.resolution!.reason, 300)} (${mention(r.resolution!.by)})`)
        .join("; ");
      return `⏱️ Ended ${until}. Settled by an approver where the revert failed — ${how}.`;
    }
    case "revert_failed": {
      const who = reverts
        .filter(unsettled)
        .map((r) => `${member(r)} (${userText(r.failureDetail ?? "no detail", 400)})`)
        .join("; ");
      return `🚨 *rolegate could not take this access back*: ${who}. The elevated role is still in place: retry, take it back with a new request, or accept it as it is, with a reason.`;
    }
  }
}

/**
 * The buttons a grant's card offers: end it now while it runs; for each revert that failed and
 * is not settled, Retry (where a retry can help), Take back (a new request to the pre-grant role)
 * and, where someone else changed the role at the vendor, Accept as is… (with a reason). Each button has its own action id within the block.
 */
export function grantButtons(request: RoleRequest, reverts: readonly RoleRequest[]): types.Button[] {
  const state = grantState(request, reverts);
  if (state === "running") {
    return [
      {
        type: "button",
        action_id: ACTIONS.endEarly,
        text: plain("End now", LIMITS.buttonText),
        style: "danger",
        value: request.id,
      },
    ];
  }
  if (state !== "revert_failed") return [];
  // Five reverts' worth of buttons (15) stays well within an actions block's 25 elements.
  return reverts
    .filter(unsettled)
    .slice(0, 5)
    .flatMap((r) => {
      const who = r.members[0]?.ref ?? r.id;
      const button = (kind: string, text: string): types.Button => ({
        type: "button",
        action_id: actionIdFor(kind, r.id),
        text: plain(text, LIMITS.buttonText),
        value: r.id,
      });
      return [
        ...(r.failureCode ? [] : [button(ACTIONS.retry, `Retry revert of ${who}`)]),
        button(ACTIONS.takeBack, `Take back from ${who}`),
        // Only a role someone else set at the vendor may stay; the grant's own role may not.
        ...(r.failureCode === "state_changed" ? [button(ACTIONS.acceptRevert, `Accept ${who} as is…`)] : []),
      ];
    });
}
