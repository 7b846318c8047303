// Who may see which requests. A request says who wants what access and why: the requester sees
// their own; an approver sees those of the targets they approve; nobody else sees anything.
import type { RolegateConfig } from "../config/file.js";
import type { ApprovalPolicy } from "./approval-policy.js";
import { targetsOf, type RoleRequest } from "./types.js";

export interface Viewer {
  userId: string;
  /** The configured targets this person approves. */
  approves: ReadonlySet<string>;
}

export async function viewerOf(
  userId: string,
  config: Pick<RolegateConfig, "targets">,
  policy: Pick<ApprovalPolicy, "mayDecide">,
): Promise<Viewer> {
  const approves = new Set<string>();
  for (const name of config.targets.keys()) if (await policy.mayDecide(userId, [name])) approves.add(name);
  return { userId, approves };
}

/** The requester, or an approver of every target the request touches. */
export function canSee(viewer: Viewer, request: Pick<RoleRequest, "requesterId" | "target" | "extraTargets">): boolean {
  return request.requesterId === viewer.userId || targetsOf(request).every((t) => viewer.approves.has(t));
}
