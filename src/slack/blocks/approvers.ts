// Who can approve a request, named for the requester: the target's approver users as mentions
// and its user groups as group mentions. Read from the config alone, without calling Slack.
import type { ApproversConfig } from "../../config/file.js";
import { mention } from "./text.js";

export function approversText(approvers: ApproversConfig): string {
  const names = [...approvers.users.map(mention), ...approvers.usergroups.map((id) => `<!subteam^${id}>`)];
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`;
}
