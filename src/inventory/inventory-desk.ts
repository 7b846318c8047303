// What people ask the inventory, for the targets they approve: who holds which role now and why
// (/role who), a sync now (/role sync), and App Home's counts. Roles are listed most privileged
// first — by the approvals a request for them needs, then by the vendor's own ladder.
import type { RolegateConfig, Target } from "../config/file.js";
import { syncIntervalOf } from "../config/file.js";
import type { ApprovalPolicy } from "../requests/approval-policy.js";
import type { Result } from "../requests/refusals.js";
import { traitsOf } from "../vendors/traits.js";
import type { RoleRef } from "../vendors/roles.js";
import type { RosterRow, SyncStatus } from "./ledger-views.js";
import type { LedgerStore } from "./store/ledger-store.js";

/** Members listed per role in /role who; the rest are counted. */
const PER_ROLE = 25;

interface RoleGroup {
  role: RoleRef;
  /** Needs more approvals than the target's default. */
  privileged: boolean;
  total: number;
  members: RosterRow[];
}

export interface WhoAnswer {
  target: string;
  role: string | null;
  groups: RoleGroup[];
  status: SyncStatus | null;
  /** Null when the target's inventory is off. */
  everyMs: number | null;
}

export interface TargetCounts {
  target: string;
  /** Privileged roles only, most privileged first. */
  privileged: { role: RoleRef; count: number }[];
  openChanges: number;
}

export interface InventoryDeskDeps {
  store: Pick<LedgerStore, "roster" | "status" | "requestSync" | "counts" | "openChanges">;
  policy: Pick<ApprovalPolicy, "mayDecide" | "requiredApprovals">;
  config: Pick<RolegateConfig, "targets" | "inventory">;
  /** A sync was asked for: the loop looks now. */
  wake: () => void;
}

export class InventoryDesk {
  constructor(private readonly deps: InventoryDeskDeps) {}

  async who(target: string, role: string | null, user: string): Promise<Result<WhoAnswer>> {
    const refusal = await this.approverOnly(target, user, "see who holds what");
    if (refusal) return refusal;
    const t = this.deps.config.targets.get(target)!;
    const [rows, status] = await Promise.all([
      this.deps.store.roster(target, role, PER_ROLE),
      this.deps.store.status(target),
    ]);
    const groups = new Map<string, RoleGroup>();
    for (const row of rows) {
      const group = groups.get(row.role.id) ?? {
        role: row.role,
        privileged: this.rank(t, row.role)[0] > (t.approvals.default ?? 1),
        total: row.roleTotal,
        members: [],
      };
      group.members.push(row);
      groups.set(row.role.id, group);
    }
    const sorted = [...groups.values()].sort((a, b) => compareRanks(this.rank(t, b.role), this.rank(t, a.role)));
    return { ok: true, value: { target, role, groups: sorted, status, everyMs: syncIntervalOf(this.deps.config, t) } };
  }

  /** Asks for a sync of `target` now; the loop takes it up within a poll. */
  async sync(target: string, user: string): Promise<Result<{ status: SyncStatus | null }>> {
    const refusal = await this.approverOnly(target, user, "sync it");
    if (refusal) return refusal;
    const t = this.deps.config.targets.get(target)!;
    if (syncIntervalOf(this.deps.config, t) === null)
      return {
        ok: false,
        refusal: {
          code: "policy",
          message: `${target}'s inventory is off in rolegate.yml (inventory: { every: off }); nothing was read.`,
        },
      };
    const status = await this.deps.store.status(target);
    await this.deps.store.requestSync(target, user);
    this.deps.wake();
    return { ok: true, value: { status } };
  }

  /** App Home: per target, who holds each privileged role, and the changes waiting for a decision. */
  counts(targets: readonly string[]): Promise<TargetCounts[]> {
    return countAccess(this.deps, targets);
  }

  private async approverOnly(target: string, user: string, what: string) {
    if (await this.deps.policy.mayDecide(user, [target])) return null;
    return {
      ok: false as const,
      refusal: { code: "not_approver" as const, message: `Only ${target}'s approvers may ${what} there.` },
    };
  }

  private rank(target: Target, role: RoleRef): [number, number] {
    return rankOf(this.deps.policy, target, role);
  }
}

/** Per target, how many hold each privileged role, and how many changes outside rolegate wait (App Home). */
export async function countAccess(
  deps: Pick<InventoryDeskDeps, "store" | "policy" | "config">,
  targets: readonly string[],
): Promise<TargetCounts[]> {
  const [rows, open] = await Promise.all([deps.store.counts(targets), deps.store.openChanges(targets)]);
  return targets.map((name) => {
    const t = deps.config.targets.get(name)!;
    const privileged = rows
      .filter((r) => r.target === name && rankOf(deps.policy, t, r.role)[0] > (t.approvals.default ?? 1))
      .sort((a, b) => compareRanks(rankOf(deps.policy, t, b.role), rankOf(deps.policy, t, a.role)))
      .map((r) => ({ role: r.role, count: r.count }));
    return { target: name, privileged, openChanges: open.get(name) ?? 0 };
  });
}

/** [approvals needed, place on the vendor's ladder (-1: not on it)]: higher is more privileged. */
function rankOf(policy: Pick<ApprovalPolicy, "requiredApprovals">, target: Target, role: RoleRef): [number, number] {
  const ladder = traitsOf(target.vendor).roleLadder;
  const names = [role.id.toLowerCase(), role.name.toLowerCase()];
  return [policy.requiredApprovals([target], role), ladder.findIndex((rung) => rung.some((r) => names.includes(r)))];
}

function compareRanks(a: [number, number], b: [number, number]): number {
  return a[0] - b[0] || a[1] - b[1];
}
