// Changes made outside rolegate, as people see and decide them: each is Kept (accepted, with a
// reason, after which the ledger explains the role by that acceptance) or Reverted (a request to
// put the previous role back, filed by the approver and decided like any other change). Only the
// target's approvers decide, never the member themselves, and a lookup that cannot tell who is
// clicking refuses: it fails closed.
import type { Clock } from "../clock.js";
import type { ApprovalPolicy } from "../requests/approval-policy.js";
import type { Filing } from "../requests/filing.js";
import { ownAccessOf, type OwnAccessDeps } from "../requests/own-access.js";
import type { Refusal, Result } from "../requests/refusals.js";
import type { RoleRef } from "../vendors/roles.js";

type OutsideChangeStatus = "OPEN" | "KEPT" | "REVERTING" | "SETTLED";

export interface OutsideChange {
  id: bigint;
  target: string;
  vendorUserId: string;
  email: string | null;
  from: RoleRef | null;
  to: RoleRef | null;
  notBefore: Date | null;
  observedAt: Date;
  /** 🚨: the revert rolegate ran that did not take effect. */
  failedRevertOf: string | null;
  status: OutsideChangeStatus;
  decidedBy: string | null;
  decidedAt: Date | null;
  reason: string | null;
  revertRequestId: string | null;
}

/** One sync's changes of one target, as its card shows them. */
export interface AlertCard {
  id: bigint;
  target: string;
  channel: string | null;
  ts: string | null;
  changes: OutsideChange[];
}

/** What deciding needs of the store (inventory/store/alert-store.ts). */
export interface OutsideChangeStore {
  find(id: bigint): Promise<OutsideChange | null>;
  /** OPEN → KEPT, the ledger's reason with it; false when it was no longer open. */
  keep(id: bigint, by: string, reason: string, now: Date): Promise<boolean>;
  /** OPEN → REVERTING with the request filed; false when it was no longer open. */
  reverting(id: bigint, by: string, requestId: string, now: Date): Promise<boolean>;
  /** The OPEN changes of a card. */
  openOf(cardId: bigint): Promise<OutsideChange[]>;
}

export interface OutsideChangeDeps {
  store: OutsideChangeStore;
  policy: Pick<ApprovalPolicy, "mayDecide">;
  ownAccess: OwnAccessDeps;
  filing: Pick<Filing, "record">;
  clock: Clock;
  /** A decision changed a card: redraw it. */
  cardsChanged: () => void;
  /** Told of each decision once it is committed (the audit log line). */
  decided?: (change: OutsideChange) => void;
}

/** "ada@example.com", or the vendor id of a member with no email. */
export const memberName = (change: Pick<OutsideChange, "email" | "vendorUserId">): string =>
  change.email ?? `id:${change.vendorUserId}`;

export class OutsideChangeDecisions {
  constructor(private readonly deps: OutsideChangeDeps) {}

  find(id: bigint): Promise<OutsideChange | null> {
    return this.deps.store.find(id);
  }

  /** Why `user` may not decide this change now; null when they may. */
  async refusal(id: bigint, user: string): Promise<Refusal | null> {
    const change = await this.deps.store.find(id);
    return change ? this.refusalFor(change, user) : { code: "not_found", message: "rolegate has no such change." };
  }

  async keep(id: bigint, user: string, reason: string): Promise<Result<OutsideChange>> {
    const change = await this.deps.store.find(id);
    if (!change) return refused("not_found", "rolegate has no such change.");
    const refusal = await this.refusalFor(change, user);
    if (refusal) return { ok: false, refusal };
    if (reason.trim() === "") return refused("invalid_request", "Say why the role may stay.");
    if (!(await this.deps.store.keep(id, user, reason.trim(), this.deps.clock()))) return alreadyDecided();
    this.deps.cardsChanged();
    const kept = (await this.deps.store.find(id))!;
    this.deps.decided?.(kept);
    return { ok: true, value: kept };
  }

  /** Files a request to put the previous role back; the change waits on it. */
  async revert(id: bigint, user: string): Promise<Result<{ change: OutsideChange; requestId: string }>> {
    const change = await this.deps.store.find(id);
    if (!change) return refused("not_found", "rolegate has no such change.");
    const refusal = await this.refusalFor(change, user);
    if (refusal) return { ok: false, refusal };
    if (!change.to)
      return refused(
        "invalid_request",
        `${memberName(change)} left ${change.target}: rolegate changes roles of members and cannot bring someone back. Invite them at the vendor, or Keep it.`,
      );
    if (!change.from)
      return refused(
        "invalid_request",
        `${memberName(change)} had no role in ${change.target} before: there is nothing to put back. Remove them at the vendor, or Keep it.`,
      );
    const filed = await this.deps.filing.record({
      kind: "SET_ROLE",
      target: change.target,
      requestedRole: change.from,
      reason: change.failedRevertOf
        ? `Put back as ${change.from.name}: rolegate's revert ${change.failedRevertOf} did not take effect`
        : `Revert a change made outside rolegate: ${change.from.name} → ${change.to.name}`,
      requesterId: user,
      members: [
        {
          ref: memberName(change),
          email: change.email,
          vendorUserId: change.vendorUserId,
          roleWhenFiled: change.to.name,
        },
      ],
    });
    if (!filed.ok) return filed;
    if (!(await this.deps.store.reverting(id, user, filed.value.id, this.deps.clock()))) return alreadyDecided();
    this.deps.cardsChanged();
    const reverting = (await this.deps.store.find(id))!;
    this.deps.decided?.(reverting);
    return { ok: true, value: { change: reverting, requestId: filed.value.id } };
  }

  /**
   * Keeps every change of a card still open (a bulk import), each with the reason; how many. Who
   * is clicking is looked up once for them all, not once a change: a change about the clicker's
   * own access is left for another approver, and a lookup that fails keeps nothing.
   */
  async keepAll(cardId: bigint, user: string, reason: string): Promise<Result<number>> {
    if (reason.trim() === "") return refused("invalid_request", "Say why the role may stay.");
    let open = await this.deps.store.openOf(cardId);
    const target = open[0]?.target;
    if (target === undefined) return { ok: true, value: 0 };
    if (!(await this.deps.policy.mayDecide(user, [target])))
      return refused("not_approver", `Only ${target}'s approvers decide changes made outside rolegate.`);
    for (;;) {
      const mine = await ownAccessOf(user, { targets: [target], members: open.map(atStake) }, this.deps.ownAccess);
      if (mine.kind === "none") break;
      if (mine.kind === "unverified") return { ok: false, refusal: unverified(mine.why) };
      open = open.filter((c) => memberName(c) !== mine.ref);
    }
    let kept = 0;
    const now = this.deps.clock();
    for (const change of open) {
      if (!(await this.deps.store.keep(change.id, user, reason.trim(), now))) continue;
      kept++;
      this.deps.decided?.((await this.deps.store.find(change.id))!);
    }
    if (kept > 0) this.deps.cardsChanged();
    return { ok: true, value: kept };
  }

  private async refusalFor(change: OutsideChange, user: string): Promise<Refusal | null> {
    if (change.status !== "OPEN") return alreadyDecidedRefusal(change);
    if (!(await this.deps.policy.mayDecide(user, [change.target])))
      return {
        code: "not_approver",
        message: `Only ${change.target}'s approvers decide changes made outside rolegate.`,
      };
    const mine = await ownAccessOf(user, { targets: [change.target], members: [atStake(change)] }, this.deps.ownAccess);
    if (mine.kind === "member")
      return { code: "own_access", message: "This change is about your own access: another approver decides it." };
    if (mine.kind === "unverified") return unverified(mine.why);
    return null;
  }
}

/** A change's member, as the own-access check compares people. */
const atStake = (change: OutsideChange) => ({
  ref: memberName(change),
  email: change.email,
  vendorUserId: change.vendorUserId,
});

const unverified = (why: string): Refusal => ({
  code: "own_access_unverified",
  message: `rolegate could not check that this is not about you (${why}), so it cannot count your decision. Try again in a minute.`,
});

const refused = (code: Refusal["code"], message: string): { ok: false; refusal: Refusal } => ({
  ok: false,
  refusal: { code, message },
});

const alreadyDecided = () =>
  refused("already_decided", "Someone decided this change a moment ago; the card shows how.");

function alreadyDecidedRefusal(change: OutsideChange): Refusal {
  const how =
    change.status === "KEPT"
      ? `kept by <@${change.decidedBy ?? "?"}>`
      : change.status === "REVERTING"
        ? `being reverted by request ${change.revertRequestId ?? "?"}`
        : "settled: the role changed again since";
  return { code: "already_decided", message: `This change was already ${how}.` };
}
