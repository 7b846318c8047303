// Turns APPROVED requests into vendor calls, durably: work is claimed from the database with a
// lease, so it survives restarts and several rolegate processes can share one database.
//
// What "never twice" means here. A vendor call cannot share a transaction with our database,
// so no design can promise that a request is sent to a vendor exactly once. rolegate promises
// that an approved change takes effect at the vendor once, and is recorded once:
//  1. Only an APPROVED request is claimed, by a conditional write: one executor holds it at a
//     time, under a lease measured by the database's clock.
//  2. Before calling, the holder re-reads every member's role from the vendor and calls only for
//     members not yet in the requested state. A change that landed in an attempt whose outcome
//     was never recorded (the process died after the call, before the commit) is found in place
//     and recorded as applied without a second call.
//  3. A heartbeat keeps the lease while the attempt runs; the holder renews it right before the
//     call, and the call is aborted as soon as the lease is lost or may have run out, so two
//     live executors never call for one request at the same time.
//  4. Every call sets an absolute value ("role := Admin"). The one window left — a process that
//     dies after sending, whose request the vendor carries out only after the next holder has
//     read the old role — would send the same value again: the state still changes once.
//  5. Only the lease holder can record an outcome, so a stale claimant's late answer can never
//     record a second APPLIED, nor overwrite the holder's FAILED.
//  6. Every attempt counts, recorded or not: once maxAttempts are used up the request fails, so
//     nothing cycles between APPROVED and EXECUTING forever.
// Nobody is told anything from here: each outcome is committed with its notice (the outbox),
// which the notice dispatcher delivers. The executor never waits on Slack.
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type { Clock } from "../clock.js";
import type { ExecutorConfig } from "../config/file.js";
import type { Logger } from "../logger.js";
import { isUnknownRole, roleWhenFiledIn, targetsOf, type RoleRequest } from "../requests/types.js";
import type { ConnectorRegistry, MemberLookup, TargetConnector, VendorMember } from "../vendors/connector.js";
import { VendorError } from "../vendors/errors.js";
import type { VendorTextScrubber } from "../vendors/vendor-text.js";
import { formatWait, MAX_RETRY_AFTER_MS, retryDelayMs } from "./backoff.js";
import { holdsRequestedState, sameRole } from "./in-place.js";
import type { ClaimedJob, HeldOffer, MemberResult, WorkQueue } from "../requests/store/work-queue.js";
import { PollingLoop } from "../polling-loop.js";
import { LeaseKeeper, LeaseLost } from "./lease-keeper.js";
import { isTransientDatabaseError, retryWhileTransient } from "../db/transient-errors.js";
import { CallFirst } from "./call-first.js";

export interface ExecutorDeps {
  queue: Pick<
    WorkQueue,
    | "claimNext"
    | "renewLease"
    | "recordPreviousRoles"
    | "finishApplied"
    | "finishFailed"
    | "reschedule"
    | "otherGrantsRunning"
  >;
  connectors: ConnectorRegistry;
  /** Called after an outcome is committed: its notice is waiting in the outbox. */
  noticesAvailable?: () => void;
  /** Runs every poll, beside the work: the expiry sweep, reminders, reading roles still unknown. */
  housekeeping?: () => Promise<void>;
  config: ExecutorConfig;
  clock: Clock;
  logger: Logger;
  /** How long to sleep when there is no work; wake() cuts it short. */
  pollMs?: number;
  /** Identifies this process in leases and the audit trail. */
  owner?: string;
  /**
   * Scrubs what an attempt's outcome says before it is stored: vendor text is already scrubbed
   * by its connector, but an unexpected error's message may quote anything.
   */
  scrub?: VendorTextScrubber;
  random?: () => number;
  /** How long notices wait at most for the vendor call of work this executor was just given (call-first.ts). */
  noticesWaitMs?: number;
}

/** How one attempt ended, before it is recorded. */
type AttemptResult =
  | { kind: "applied"; members: MemberResult[]; calls: number }
  | { kind: "failed"; members: MemberResult[]; detail: string; info: Record<string, unknown>; code?: string }
  | {
      kind: "retry";
      members: MemberResult[];
      detail: string;
      retryAfterMs: number | undefined;
      info: Record<string, unknown>;
    }
  | { kind: "lease_lost" };

/** Raised inside an attempt to end it with a permanent failure; `code` when a retry cannot help. */
class PermanentFailure extends Error {
  constructor(
    message: string,
    readonly members: MemberResult[] = [],
    readonly code?: string,
  ) {
    super(message);
  }
}

/**
 * A transient vendor failure, with what the call did before it failed (members a one-by-one
 * vendor changed first): those changes took effect and are recorded, whatever comes next.
 */
class CallInterrupted extends Error {
  constructor(
    readonly error: VendorError,
    readonly members: MemberResult[],
  ) {
    super(error.message);
  }
}

export class Executor {
  readonly owner: string;
  private readonly loop: PollingLoop;
  /**
   * Housekeeping runs beside the work, on a loop of its own: an approval that arrives while the
   * sweeps run is claimed at once instead of waiting for them to finish.
   */
  private readonly housekeeping: PollingLoop | undefined;
  private readonly callFirst: CallFirst;
  /** Runs so far (claims from the queue and requests handed over), numbered for callFirst. */
  private runs = 0;
  /** Claimed requests being carried out: while there are any, the executor is busy. */
  private underWay = 0;
  /** Requests approvals handed over (carryOut), until each has ended. */
  private readonly handedOver = new Set<Promise<void>>();
  /** Offers handed out whose approvals have not committed yet: at most one. */
  private offersOut = 0;

  constructor(private readonly deps: ExecutorDeps) {
    this.owner = deps.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
    this.callFirst = new CallFirst(deps.noticesWaitMs ?? 200);
    const pollMs = deps.pollMs ?? 1_000;
    this.loop = new PollingLoop(() => this.runOnce(), pollMs, deps.logger, "executor tick");
    const sweep = deps.housekeeping;
    if (sweep) {
      const tick = async () => {
        await sweep();
        return false; // once per poll, however much it found
      };
      this.housekeeping = new PollingLoop(tick, pollMs, deps.logger, "housekeeping");
    }
  }

  start(): void {
    this.loop.start();
    this.housekeeping?.start();
  }

  /** Stops taking work; an attempt under way finishes (or its lease is released by its end). */
  async stop(): Promise<void> {
    await Promise.all([this.loop.stop(), this.housekeeping?.stop()]);
    // Requests handed over finish too, including one whose approval committed meanwhile.
    while (this.handedOver.size > 0) await Promise.all([...this.handedOver]);
    this.callFirst.close();
  }

  /**
   * Work may be waiting: stop sleeping now. An idle executor's next call goes first (see
   * call-first.ts); a busy one's does not — under a stream of approvals notices must keep up.
   */
  wake(): void {
    if (this.loop.isRunning && this.underWay === 0) {
      const before = this.runs; // a run already under way claimed before this work was there
      this.callFirst.open((run) => run > before);
    }
    this.loop.wake();
  }

  /**
   * An idle executor offers to take the request an approval is about to make APPROVED: the
   * approval's commit claims it for this executor (its lease starts then), and carryOut() makes
   * the call at once — no claim of its own, no wait for a poll. Null while busy or stopped: the
   * request then waits in the queue like any other.
   *
   * One offer at a time: approvals that commit together would otherwise all claim this one
   * executor, and every one of them would wait on its lease should the process die. The others
   * stay in the queue, where any replica's executor claims them.
   */
  offer(): HeldOffer | null {
    if (!this.loop.isRunning || this.underWay > 0 || this.handedOver.size > 0 || this.offersOut > 0) return null;
    this.offersOut++;
    let held = true;
    const release = () => {
      if (held) this.offersOut--;
      held = false;
    };
    return { owner: this.owner, leaseMs: this.deps.config.lease, release };
  }

  /** Carries out a request an approval claimed for this executor (see offer()), in the background. */
  carryOut(job: ClaimedJob): void {
    const run = ++this.runs;
    this.callFirst.open((r) => r === run, { replace: true });
    const done: Promise<void> = this.carry(job, run)
      .catch((error: unknown) =>
        this.deps.logger.error("carrying out an approved request failed", { request: job.request.id, error }),
      )
      .finally(() => {
        this.handedOver.delete(done);
        this.callFirst.started(run);
      });
    this.handedOver.add(done);
  }

  /**
   * Resolves once the work this executor was just woken for has its vendor call under way (or
   * turned out to need none), at once when there is none: the notice dispatcher waits for it.
   */
  callUnderWay(): Promise<void> {
    return this.callFirst.clear();
  }

  /** Claims and carries out one due request; false when none was due. */
  async runOnce(): Promise<boolean> {
    const run = ++this.runs;
    try {
      const { queue, clock, config } = this.deps;
      const job = await queue.claimNext(this.owner, clock(), {
        leaseMs: config.lease,
        maxAttempts: config.maxAttempts,
      });
      this.deps.noticesAvailable?.(); // the claim's notice, or a give-up's
      if (!job) return false;
      await this.carry(job, run);
      return true;
    } finally {
      this.callFirst.started(run);
    }
  }

  /** Carries out a claimed request, under its lease, and records how it ended. */
  private async carry(job: ClaimedJob, run: number): Promise<void> {
    const { queue, config } = this.deps;
    const log = this.deps.logger.child({ request: job.request.id, attempt: job.attempt });
    if (job.takenOverFrom)
      log.warn("took over a request whose executor stopped renewing its lease", { from: job.takenOverFrom });
    this.underWay++;
    const lease = new LeaseKeeper(queue, job, config.lease);
    lease.start();
    try {
      const result = await this.attempt(job, lease, run).catch((error: unknown) =>
        this.classify(error, job, lease, log),
      );
      await this.record(job, result, lease, log);
    } finally {
      lease.stop();
      this.underWay--;
    }
  }

  private async attempt(job: ClaimedJob, lease: LeaseKeeper, run: number): Promise<AttemptResult> {
    const { request } = job;
    const connectors = targetsOf(request).map((name) => this.connectorFor(name));
    const primary = connectors[0]!;
    const { signal } = lease;
    // A member whose outcome is recorded is done: a change recorded as applied is never made
    // again. (A time-bound grant's revert may already have put that member back; a second call
    // would grant the role again, with nothing left to take it back.)
    const open = request.members.filter((m) => m.outcome === "PENDING" || m.outcome === "FAILED");

    // 2. Re-read every member, in every organization the request touches.
    const states = await Promise.all(
      open.map(async (member) => ({
        member,
        found: await Promise.all(connectors.map((c) => c.findMember(lookupOf(member), { signal }))),
      })),
    );

    if (request.kind === "SET_ROLE") {
      const missing = states.filter((s) => s.found[0] === null);
      if (missing.length > 0) {
        throw new PermanentFailure(
          `${missing.map((s) => s.member.ref).join(", ")} ${missing.length > 1 ? "are" : "is"} not a member of ${primary.target.organization} any more; nothing was changed.`,
          missing.map((s) => ({ position: s.member.position, outcome: "FAILED" as const, detail: "not a member" })),
        );
      }
    }

    const inPlace = (found: (VendorMember | null)[]) =>
      found.every((m) => holdsRequestedState(m, request.requestedRole, request.teamRoles));
    // What approvers saw is what gets applied: a member whose role moved since the card was
    // read (someone changed it at the vendor meanwhile) is not overwritten.
    const moved = states.filter((s) => !inPlace(s.found)).flatMap((s) => movedSinceFiling(request, s.member, s.found));
    if (moved.length > 0) {
      throw new PermanentFailure(
        `${moved.map((m) => m.sentence).join("; ")}; nothing was changed — file a new request if the change is still needed.`,
        moved.map((m) => ({ position: m.position, outcome: "FAILED" as const, detail: "role changed since approval" })),
        "state_changed",
      );
    }

    // Filing refuses a request that overlaps a running grant; two filings that raced each other
    // are caught here, before anything is changed. A revert is never held back: it only takes
    // back what its own grant gave.
    if (request.revertOf === null) {
      const [first] = await this.deps.queue.otherGrantsRunning(request);
      if (first) {
        throw new PermanentFailure(
          `${first.ref} has a time-bound grant in ${first.target} that has not ended (request ${first.grantId}); nothing was changed — end or extend that grant first, then retry.`,
          states.map((s) => ({
            position: s.member.position,
            outcome: "FAILED" as const,
            detail: `overlaps the running grant ${first.grantId}`,
          })),
        );
      }
    }

    // 3. Renewed in the same commit, right before writing. It proves we still hold the request
    // (a slow read or a paused process may have let the lease run out and another executor take
    // over); the heartbeat keeps it from then on, and the signal stops the call if it cannot.
    const kept = await lease.renewWith((leaseMs) =>
      this.deps.queue.recordPreviousRoles(
        job,
        // Team roles only where the request changes them: what a time-bound grant puts back.
        states.map((s) => ({
          position: s.member.position,
          role: s.found[0]?.role ?? null,
          teamRoles: request.teamRoles ? (s.found[0]?.teamRoles ?? []) : null,
        })),
        leaseMs,
      ),
    );
    if (!kept) return { kind: "lease_lost" };

    const todo = states.filter((s) => !inPlace(s.found));
    // In place because an earlier attempt of ours changed it (its outcome was never recorded):
    // that is APPLIED. In place before we ever touched it: ALREADY_IN_PLACE.
    const done: MemberResult[] = states
      .filter((s) => inPlace(s.found))
      .map((s) => ({
        position: s.member.position,
        outcome: changedEarlier(s.member, request) ? "APPLIED" : "ALREADY_IN_PLACE",
      }));
    if (todo.length === 0) return { kind: "applied", members: done, calls: 0 };

    if (job.attempt > this.deps.config.maxAttempts) {
      // What earlier attempts did is recorded even so: a time-bound grant's reverts hang on it.
      throw new PermanentFailure(
        `rolegate gave up after ${this.deps.config.maxAttempts} attempts; nothing was changed in the last one.`,
        done,
      );
    }
    this.callFirst.started(run); // the call is on its way: notices may go now
    try {
      if (request.kind === "SET_ROLE") {
        await primary.setRole(
          { members: todo.map((s) => s.found[0]!), role: request.requestedRole, teamRoles: request.teamRoles },
          { signal },
        );
      } else {
        await primary.addToOrganizations(
          {
            members: todo.map((s) => lookupOf(s.member)),
            organizations: connectors.map((c) => c.target.organization),
            role: request.requestedRole,
          },
          { signal },
        );
      }
    } catch (error) {
      if (!(error instanceof VendorError)) throw error;
      // Members the vendor changed before it failed keep their change, and say so.
      const completed = new Set(error.completedMemberIds);
      const changed = todo.filter((s) => completed.has(s.found[0]?.vendorUserId ?? s.member.vendorUserId ?? ""));
      const applied = changed.map((s): MemberResult => ({ position: s.member.position, outcome: "APPLIED" }));
      if (error.transient) throw new CallInterrupted(error, [...done, ...applied]);
      const failed = todo
        .filter((s) => !changed.includes(s))
        .map((s): MemberResult => ({ position: s.member.position, outcome: "FAILED", detail: error.describe() }));
      throw new PermanentFailure(error.describe(), [...done, ...applied, ...failed]);
    }
    return {
      kind: "applied",
      members: [...done, ...todo.map((s) => ({ position: s.member.position, outcome: "APPLIED" as const }))],
      calls: 1,
    };
  }

  private classify(error: unknown, job: ClaimedJob, lease: LeaseKeeper, log: Logger): AttemptResult {
    // Whatever the call threw, once the lease is gone the outcome is the new holder's to record.
    if (error instanceof LeaseLost || lease.signal.aborted) return { kind: "lease_lost" };
    if (error instanceof PermanentFailure) {
      return {
        kind: "failed",
        members: error.members,
        detail: error.message,
        info: error.code ? { code: error.code } : {},
        ...(error.code ? { code: error.code } : {}),
      };
    }
    // What the interrupted call did is recorded with whatever the attempt's outcome is.
    const members = error instanceof CallInterrupted ? error.members : [];
    const cause = error instanceof CallInterrupted ? error.error : error;
    if (cause instanceof VendorError) {
      const info = {
        kind: cause.kind,
        httpStatus: cause.httpStatus,
        vendorCode: cause.vendorCode,
        vendorRequestId: cause.requestId,
      };
      if (!cause.transient) return { kind: "failed", members, detail: cause.describe(), info };
      if (job.attempt >= this.deps.config.maxAttempts) {
        return {
          kind: "failed",
          members,
          detail: `${cause.describe()} — rolegate gave up after ${job.attempt} attempts.`,
          info,
        };
      }
      return { kind: "retry", members, detail: cause.describe(), retryAfterMs: cause.retryAfterMs, info };
    }
    if (isAbort(error)) {
      return {
        kind: "retry",
        members: [],
        detail: "The vendor did not answer in time.",
        retryAfterMs: undefined,
        info: { kind: "timeout" },
      };
    }
    // The database failed before the vendor call (every write of the attempt comes before it): a
    // blip to ride out like a vendor's 503, never a verdict on the request.
    if (isTransientDatabaseError(error)) {
      log.warn("the database failed during an attempt; it is tried again later", { error });
      const detail = "rolegate lost its database connection during this attempt; nothing was changed at the vendor.";
      if (job.attempt >= this.deps.config.maxAttempts) {
        return {
          kind: "failed",
          members,
          detail: `${detail} rolegate gave up after ${job.attempt} attempts.`,
          info: { kind: "database" },
        };
      }
      return { kind: "retry", members, detail, retryAfterMs: undefined, info: { kind: "database" } };
    }
    log.error("unexpected error while applying a request", { error });
    return {
      kind: "failed",
      members: [],
      detail: `rolegate hit an unexpected error: ${(error as Error)?.message ?? String(error)}`,
      info: { kind: "internal" },
    };
  }

  private async record(job: ClaimedJob, raw: AttemptResult, lease: LeaseKeeper, log: Logger): Promise<void> {
    const result = this.scrubbed(raw);
    if (result.kind === "lease_lost") {
      // 5. Another executor holds the request now (or will, once the lease runs out) and
      // records the outcome; this attempt still counts (6).
      log.warn("lost the lease before recording the outcome; the next holder records it");
      return;
    }
    let committed: RoleRequest | null;
    try {
      // Tried again while the database is away and the lease is ours: a blip between the vendor's
      // answer and its record must not turn a change that took effect into a failure.
      committed = await retryWhileTransient(
        () => this.commit(job, result),
        lease.signal,
        (error) => log.warn("could not record an attempt's outcome yet; trying again", { result: result.kind, error }),
      );
    } catch (error) {
      if (isTransientDatabaseError(error)) {
        // The database stayed away for the whole lease. The next holder re-reads the vendor and
        // records what it finds: a change that took effect is found in place, never made twice.
        log.warn("could not record an attempt's outcome before the lease ran out; the next holder records it", {
          result: result.kind,
          error,
        });
        return;
      }
      // The database refused the outcome. Say so on the request rather than leave it to cycle;
      // should even that fail, the lease runs out and the next claim counts this attempt.
      log.error("could not record an attempt's outcome", { result: result.kind, error });
      committed = await this.deps.queue.finishFailed(
        job,
        this.deps.clock(),
        [],
        `rolegate could not record the outcome of its attempt (${result.kind === "applied" ? "the vendor reported success" : "the attempt did not succeed"}): the database refused the write. An approver's Retry reads the vendor again and records what it finds.`,
        { kind: "internal" },
      );
    }
    if (!committed) {
      log.warn("lost the lease before recording the outcome; the current holder records it", { result: result.kind });
      return;
    }
    log.info("request attempt recorded", { status: committed.status, result: result.kind });
    this.deps.noticesAvailable?.();
  }

  private commit(job: ClaimedJob, result: Exclude<AttemptResult, { kind: "lease_lost" }>): Promise<RoleRequest | null> {
    const { queue, clock, config } = this.deps;
    const now = clock();
    switch (result.kind) {
      case "applied":
        return queue.finishApplied(job, now, result.members, result.calls);
      case "failed":
        return queue.finishFailed(job, now, result.members, result.detail, result.info, result.code ?? null);
      case "retry": {
        const delay = retryDelayMs(job.attempt, config, result.retryAfterMs, this.deps.random);
        const asked = result.retryAfterMs;
        // The vendor's wait is honoured up to a cap, and said on the card either way.
        const detail =
          asked === undefined
            ? result.detail
            : asked > MAX_RETRY_AFTER_MS
              ? `${result.detail} — the vendor asked to wait ${formatWait(asked)}; rolegate waits at most ${formatWait(MAX_RETRY_AFTER_MS)}`
              : `${result.detail} — the vendor asked to wait ${formatWait(asked)}`;
        return queue.reschedule(
          job,
          now,
          new Date(now.getTime() + delay),
          detail,
          { ...result.info, delayMs: delay, ...(asked !== undefined ? { retryAfterMs: asked } : {}) },
          result.members,
        );
      }
    }
  }

  private scrubbed(result: AttemptResult): AttemptResult {
    const scrub = this.deps.scrub;
    if (!scrub || result.kind === "lease_lost") return result;
    const members = result.members.map((m) => (m.detail ? { ...m, detail: scrub(m.detail) } : m));
    return result.kind === "applied" ? { ...result, members } : { ...result, members, detail: scrub(result.detail) };
  }

  private connectorFor(target: string): TargetConnector {
    try {
      return this.deps.connectors.forTarget(target);
    } catch (error) {
      throw new PermanentFailure(`rolegate cannot reach ${target}: ${(error as Error).message}.`);
    }
  }
}

/**
 * Where a member's role is neither what the card showed when approvers decided nor already the
 * requested one: one sentence per target, for the card. A role never read counts as moved.
 */
function movedSinceFiling(
  request: RoleRequest,
  member: RoleRequest["members"][number],
  found: (VendorMember | null)[],
) {
  const targets = targetsOf(request);
  return targets.flatMap((target, i) => {
    const now = found[i] ?? null;
    if (now && sameRole(now.role, request.requestedRole)) return [];
    const filed = roleWhenFiledIn(request, member, target);
    const unchanged = isUnknownRole(filed)
      ? false
      : filed === null
        ? now === null
        : now !== null && sameRole(now.role, { id: filed, name: filed });
    if (unchanged) return [];
    const where = targets.length > 1 ? ` in ${target}` : "";
    const is = `${member.ref} is ${now ? now.role.name : "no longer a member"}${where} now`;
    const sentence =
      filed === null
        ? `${is}, though approvers saw no membership there`
        : isUnknownRole(filed)
          ? `${is}, and approvers never saw a known role`
          : `${is}, not ${filed} as approved`;
    return [{ position: member.position, sentence }];
  });
}

/** The first reading (kept before any call) shows another role: the change is ours. */
function changedEarlier(member: RoleRequest["members"][number], request: RoleRequest): boolean {
  return (
    member.previousRole !== null &&
    !sameRole({ id: member.previousRole, name: member.previousRole }, request.requestedRole)
  );
}

function lookupOf(member: RoleRequest["members"][number]): MemberLookup {
  return { ref: member.ref, email: member.email, vendorUserId: member.vendorUserId };
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
}
