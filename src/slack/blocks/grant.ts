// How a time-bound grant reads on its card and in DMs: "Admin for 4h", until when, and what
// became of its reverts. A revert that could not take the access back is said loudly: an
// elevated role that outlives its grant must never go unnoticed.
import type { types } from "@slack/bolt";
import type { RoleRequest } from "../../requests/types.js";
import { durationText } from "../../requests/durations.js";
import { ACTIONS, actionIdFor } from "../action-ids.js";
import { plain, LIMITS, slackDate, userText } from "./text.js";

/** " for 4h", with " (until …)" once the clock has started; "" for a permanent change. */
export function forHowLong(request: Pick<RoleRequest, "durationSeconds" | "grantEndsAt" | "extendsGrant">): string {
  if (request.durationSeconds === null) return "";
  if (request.extendsGrant) return ` for ${durationText(request.durationSeconds)} more`;
  const until = request.grantEndsAt ? ` (until ${slackDate(request.grantEndsAt, "{time} {date_short}")})` : "";
  return ` for ${durationText(request.durationSeconds)}${until}`;
}

export type GrantState = "running" | "ending" | "ended" | "revert_failed";

/** Where a grant's reverts stand; null for anything that is not an applied time-bound grant. */
export function grantState(request: RoleRequest, reverts: readonly RoleRequest[]): GrantState | null {
  // Nothing to take back (every member already had the role, or an extension): no grant state.
  if (request.durationSeconds === null || request.revertOf !== null || request.status !== "APPLIED" || reverts.length === 0) return null;
  if (reverts.some((r) => r.status === "FAILED")) return "revert_failed";
  if (reverts.every((r) => r.status === "APPLIED")) return "ended";
  if (reverts.some((r) => r.status === "EXECUTING" || r.attempts > 0)) return "ending";
  return "running";
}

/** The line under a grant's card saying how its access ends, or ended. */
export function grantLine(request: RoleRequest, reverts: readonly RoleRequest[]): string | null {
  const state = grantState(request, reverts);
  const until = request.grantEndsAt ? slackDate(request.grantEndsAt) : "soon";
  switch (state) {
    case null:
      return null;
    case "running":
      return `⏱️ Time-bound: each member goes back to their previous role ${until}.`;
    case "ending":
      return "⏱️ Time is up: rolegate is putting each member back in their previous role.";
    case "ended":
      return `⏱️ Ended ${until}: every member is back in their previous role.`;
    case "revert_failed": {
      const failed = reverts.filter((r) => r.status === "FAILED");
      const who = failed.map((r) => `${userText(r.members[0]?.ref ?? r.id, 200)} (${userText(r.failureDetail ?? "no detail", 400)})`).join("; ");
      return `🚨 *rolegate could not take this access back*: ${who}. The elevated role is still in place; check it at the vendor, or retry below.`;
    }
  }
}

/** The buttons a grant's card offers: end it now while it runs; retry a revert that failed. */
export function grantButtons(request: RoleRequest, reverts: readonly RoleRequest[]): types.Button[] {
  const state = grantState(request, reverts);
  if (state === "running") {
    return [{ type: "button", action_id: ACTIONS.endEarly, text: plain("End now", LIMITS.buttonText), style: "danger", value: request.id }];
  }
  if (state === "revert_failed") {
    return reverts
      .filter((r) => r.status === "FAILED" && !r.failureCode)
      .slice(0, 5)
      .map((r) => ({
        type: "button" as const,
        action_id: actionIdFor(ACTIONS.retry, r.id),
        text: plain(`Retry revert of ${r.members[0]?.ref ?? r.id}`, LIMITS.buttonText),
        value: r.id,
      }));
  }
  return [];
}
