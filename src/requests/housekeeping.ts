// The sweeps that move requests along by the clock rather than by a person: expiry of what
// nobody decided, "ending soon" warnings, reminders and escalation of undecided requests, and
// reading roles still unknown. They run on a loop of their own, beside the executor's: an
// approval that arrives while they run is claimed at once instead of waiting for them. Each
// sweep is a conditional write with its notice, so two replicas sweeping at once queue each
// notice once.
import type { Clock } from "../clock.js";
import type { RolegateConfig } from "../config/file.js";
import type { Logger } from "../logger.js";
import { PollingLoop } from "../polling-loop.js";
import type { RoleRefresh } from "./role-refresh.js";
import type { Sweeps } from "./store/sweeps.js";

export interface HousekeepingDeps {
  sweeps: Pick<Sweeps, "expireDue" | "warnEndingGrants" | "remindUndecided" | "escalateUndecided">;
  roleRefresh?: Pick<RoleRefresh, "run">;
  config: Pick<RolegateConfig, "targets" | "remindAfter">;
  clock: Clock;
  logger: Logger;
  /** Called after a sweep queued a notice, so the dispatcher delivers it at once. */
  noticesAvailable?: () => void;
  /** How long between two rounds of sweeps. */
  pollMs?: number;
}

export class Housekeeping {
  private readonly loop: PollingLoop;

  constructor(private readonly deps: HousekeepingDeps) {
    const round = async () => {
      await this.sweep();
      return false; // once per poll, however much it found
    };
    this.loop = new PollingLoop(round, deps.pollMs ?? 1_000, deps.logger, "housekeeping");
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** One round of every sweep. */
  async sweep(): Promise<void> {
    await this.expireDue();
    await this.warnEndingGrants();
    await this.chaseUndecided();
    await this.deps.roleRefresh?.run();
  }

  /** Expires what is past its expiry (each with its notice); returns how many. */
  async expireDue(): Promise<number> {
    const expired = await this.deps.sweeps.expireDue(this.deps.clock());
    if (expired > 0) this.deps.noticesAvailable?.();
    return expired;
  }

  /** Queues the "ending soon" warnings that are due; returns how many. */
  async warnEndingGrants(): Promise<number> {
    const warned = await this.deps.sweeps.warnEndingGrants(this.deps.clock());
    if (warned > 0) this.deps.noticesAvailable?.();
    return warned;
  }

  /** Queues the reminders and escalations that are due; returns how many of each. */
  async chaseUndecided(): Promise<{ reminded: number; escalated: number }> {
    const now = this.deps.clock();
    const { config, sweeps } = this.deps;
    const reminded = config.remindAfter ? await sweeps.remindUndecided(now, config.remindAfter) : 0;
    let escalated = 0;
    for (const target of config.targets.values()) {
      if (!target.escalateTo || !target.escalateAfter) continue;
      escalated += await sweeps.escalateUndecided(target.name, new Date(now.getTime() - target.escalateAfter), now);
    }
    if (reminded + escalated > 0) this.deps.noticesAvailable?.();
    return { reminded, escalated };
  }
}
