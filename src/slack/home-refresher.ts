// Keeps each person's App Home tab current. It is drawn when they open it, and redrawn when a
// request it shows changes: the notifier reports every delivered notice here, and the tabs of
// the requester and of the approvers who could decide it are marked stale, then redrawn by a
// loop of their own, once per person however many changes came in the meantime. A crash loses
// only pending redraws; the tab is drawn afresh from the database whenever it is opened.
import type { webApi } from "@slack/bolt";
import type { Clock } from "../clock.js";
import type { RolegateConfig } from "../config/file.js";
import type { Logger } from "../logger.js";
import { PollingLoop } from "../polling-loop.js";
import type { TargetCounts } from "../inventory/inventory-desk.js";
import type { ApprovalPolicy } from "../requests/approval-policy.js";
import type { RequestHistory } from "../requests/history.js";
import { SYSTEM_ACTOR, targetsOf, type RoleRequest } from "../requests/types.js";
import { viewerOf } from "../requests/visibility.js";
import { HOME_LIST_LIMIT, homeView, type HomeContent } from "./blocks/home.js";

export interface HomeRefresherDeps {
  client: { views: Pick<webApi.WebClient["views"], "publish"> };
  history: Pick<RequestHistory, "list" | "revertsOf">;
  policy: Pick<ApprovalPolicy, "mayDecide" | "approversOf">;
  /** Who opened the tab, and when (the store's HomeViewers). */
  viewers: {
    opened(userId: string, now: Date): Promise<void>;
    among(userIds: readonly string[], since: Date): Promise<string[]>;
  };
  config: Pick<RolegateConfig, "targets">;
  /** For approvers: per target they approve, who holds each privileged role (the inventory). */
  accessCounts?: (targets: readonly string[]) => Promise<TargetCounts[]>;
  clock: Clock;
  logger: Logger;
  pollMs?: number;
}

/** Someone who has not opened the tab for this long gets it drawn when they next do. */
const VIEWER_WINDOW_MS = 30 * 86_400_000;
/** Pending requests read for "Waiting on me" before those this person may not decide are dropped. */
const WAITING_READ = 50;

export class HomeRefresher {
  private readonly stale = new Set<string>();
  private readonly loop: PollingLoop;

  constructor(private readonly deps: HomeRefresherDeps) {
    this.loop = new PollingLoop(() => this.redrawStale(), deps.pollMs ?? 1_000, deps.logger, "App Home refresh");
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** The person opened the tab: remember they use it, and draw it now. */
  async opened(userId: string): Promise<void> {
    await this.deps.viewers.opened(userId, this.deps.clock());
    await this.draw(userId);
  }

  /** A request changed. Never throws: a tab left stale must not hold up the notice that told us. */
  async changed(request: RoleRequest): Promise<void> {
    try {
      const people = new Set<string>();
      if (request.requesterId !== SYSTEM_ACTOR) people.add(request.requesterId);
      for (const target of targetsOf(request))
        for (const id of await this.deps.policy.approversOf(target, request.escalatedAt !== null)) people.add(id);
      const since = new Date(this.deps.clock().getTime() - VIEWER_WINDOW_MS);
      for (const id of await this.deps.viewers.among([...people], since)) this.stale.add(id);
      if (this.stale.size > 0) this.loop.wake();
    } catch (error) {
      this.deps.logger.warn("could not tell whose App Home tab shows a request", { request: request.id, error });
    }
  }

  async draw(userId: string): Promise<void> {
    await this.deps.client.views.publish({ user_id: userId, view: homeView(await this.contentFor(userId)) });
  }

  private async redrawStale(): Promise<boolean> {
    const users = [...this.stale];
    this.stale.clear();
    for (const user of users) {
      try {
        await this.draw(user);
      } catch (error) {
        this.deps.logger.warn("could not redraw an App Home tab", { user, error });
      }
    }
    return users.length > 0;
  }

  private async contentFor(userId: string): Promise<HomeContent> {
    const { history, policy, config } = this.deps;
    const viewer = await viewerOf(userId, config, policy);
    const visibleTo = { viewer, allTargets: [...config.targets.keys()] };
    // One more than shown, so the list can say there are more.
    const [grants, open, recent] = await Promise.all([
      history.list({ kind: "running_grants", userId }, HOME_LIST_LIMIT + 1, visibleTo),
      history.list({ kind: "open", userId }, HOME_LIST_LIMIT + 1, visibleTo),
      history.list({ kind: "requester", userId }, 5, visibleTo),
    ]);
    let waiting: RoleRequest[] | null = null;
    if (viewer.approves.size > 0) {
      // Only what this person can decide now: not already approved by them, every target theirs.
      const pending = await history.list({ kind: "awaiting", userId }, WAITING_READ, visibleTo);
      waiting = [];
      for (const request of pending) {
        if (request.approvals.some((a) => a.approverId === userId)) continue;
        if (await policy.mayDecide(userId, targetsOf(request), request.escalatedAt !== null)) waiting.push(request);
      }
    }
    const access =
      viewer.approves.size > 0 && this.deps.accessCounts ? await this.deps.accessCounts([...viewer.approves]) : null;
    return {
      access,
      grants: await Promise.all(grants.map(async (grant) => ({ grant, reverts: await history.revertsOf(grant.id) }))),
      open,
      waiting,
      recent,
    };
  }
}
