// Who can approve a request, named for the requester: the target's approver users as mentions
// and its user groups as group mentions. Read from the config alone, without calling Slack.
import type { ApproversConfig, Target } from "../../config/file.js";
import { mention } from "./text.js";

/** Everyone who can decide a request of this target now, named; escalateTo too once escalated. */
export function whoCanDecide(
  target: Target,
  policy: { approversFor(target: Target): ApproversConfig },
  escalated: boolean,
): string {
  const approvers = policy.approversFor(target);
  const merged: ApproversConfig =
    escalated && target.escalateTo
      ? {
          users: [...new Set([...approvers.users, ...target.escalateTo.users])],
          usergroups: [...new Set([...approvers.usergroups, ...target.escalateTo.usergroups])],
        }
      : approvers;
  return approversText(merged);
}

export function approversText(approvers: ApproversConfig): string {
  const names = [...approvers.users.map(mention), ...approvers.usergroups.map((id) => `<!subteam^${id}>`)];
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`;
}
