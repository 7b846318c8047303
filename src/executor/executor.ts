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
import { targetsOf, type RoleRequest } from "../requests/types.js";
import type { ConnectorRegistry, MemberLookup, TargetConnector } from "../vendors/connector.js";
import { VendorError } from "../vendors/errors.js";
import type { VendorTextScrubber } from "../vendors/vendor-text.js";
import { failed, retryNote, thrownFailure, vendorFailure, type AttemptResult } from "./attempt-outcome.js";
import { retryDelayMs } from "./retry-delay.js";
import { changedEarlier, inPlace, movedSinceFiling } from "./drift.js";
import type { ClaimedJob, MemberResult, WorkQueue } from "../requests/store/work-queue.js";
import { PollingLoop } from "../polling-loop.js";
import { LeaseKeeper, LeaseLost } from "./lease-keeper.js";
import { isTransientDatabaseError, retryWhileTransient } from "../db/transient-errors.js";
import type { CallFirst } from "./call-first.js";

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
  /** Told when work was given out and when a run's vendor call is under way (call-first.ts). */
  callFirst?: Pick<CallFirst, "open" | "started" | "close">;
}

export class Executor {
  readonly owner: string;
  private readonly loop: PollingLoop;
  /** Runs so far, numbered for callFirst: the run a wake is about is one that begins after it. */
  private runs = 0;
  /** Requests being carried out: while there are any, the executor is busy. */
  private underWay = 0;

  constructor(private readonly deps: ExecutorDeps) {
    this.owner = deps.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
    this.loop = new PollingLoop(() => this.runOnce(), deps.pollMs ?? 1_000, deps.logger, "executor tick");
  }

  start(): void {
    this.loop.start();
  }

  /** Carrying out a request now: background work (the inventory) waits for it. */
  get busy(): boolean {
    return this.underWay > 0;
  }

  /** Stops taking work; an attempt under way finishes (or its lease is released by its end). */
  async stop(): Promise<void> {
    await this.loop.stop();
    this.deps.callFirst?.close();
  }

  /**
   * Work may be waiting (an approval, a grant ended early): stop sleeping now. An idle
   * executor's next call goes first (call-first.ts); a busy one's does not.
   */
  wake(): void {
    if (this.loop.isRunning && this.underWay === 0) {
      const before = this.runs; // a run already under way claimed before this work was there
      this.deps.callFirst?.open((run) => run > before);
    }
    this.loop.wake();
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
      this.deps.callFirst?.started(run); // ended, with or without a call: notices go on
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
      const result = await this.attempt(job, lease, run).then(
        // A setback met after the lease was lost is the new holder's to find and record.
        (ended) => (ended.kind !== "applied" && lease.signal.aborted ? { kind: "lease_lost" as const } : ended),
        (error: unknown) => this.classify(error, job, lease, log),
      );
      await this.record(job, result, lease, log);
    } finally {
      lease.stop();
      this.underWay--;
    }
  }

  /**
   * One attempt: re-read, check, call. Every expected ending is returned as a value; what is
   * thrown (a read that failed, the lease lost, the database away) is classify()'s to judge.
   */
  private async attempt(job: ClaimedJob, lease: LeaseKeeper, run: number): Promise<AttemptResult> {
    const { request } = job;
    const connectors: TargetConnector[] = [];
    for (const name of targetsOf(request)) {
      try {
        connectors.push(this.deps.connectors.forTarget(name));
      } catch (error) {
        return failed(`rolegate cannot reach ${name}: ${(error as Error).message}.`);
      }
    }
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
        return failed(
          `${missing.map((s) => s.member.ref).join(", ")} ${missing.length > 1 ? "are" : "is"} not a member of ${primary.target.organization} any more; nothing was changed.`,
          missing.map((s) => ({ position: s.member.position, outcome: "FAILED" as const, detail: "not a member" })),
        );
      }
    }

    // What approvers saw is what gets applied: a member whose role moved since the card was
    // read (someone changed it at the vendor meanwhile) is not overwritten.
    const moved = states
      .filter((s) => !inPlace(request, s.found))
      .flatMap((s) => movedSinceFiling(request, s.member, s.found));
    if (moved.length > 0) {
      return failed(
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
        return failed(
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

    const todo = states.filter((s) => !inPlace(request, s.found));
    // In place because an earlier attempt of ours changed it (its outcome was never recorded):
    // that is APPLIED. In place before we ever touched it: ALREADY_IN_PLACE.
    const done: MemberResult[] = states
      .filter((s) => inPlace(request, s.found))
      .map((s) => ({
        position: s.member.position,
        outcome: changedEarlier(s.member, request) ? "APPLIED" : "ALREADY_IN_PLACE",
      }));
    if (todo.length === 0) return { kind: "applied", members: done, calls: 0 };

    const { maxAttempts } = this.deps.config;
    if (job.attempt > maxAttempts) {
      // What earlier attempts did is recorded even so: a time-bound grant's reverts hang on it.
      return failed(`rolegate gave up after ${maxAttempts} attempts; nothing was changed in the last one.`, done);
    }
    this.deps.callFirst?.started(run); // the call is on its way: notices may go now
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
      if (!(error instanceof VendorError) || signal.aborted) throw error;
      // Members the vendor changed before it failed keep their change, and say so.
      const completed = new Set(error.completedMemberIds);
      const changed = todo.filter((s) => completed.has(s.found[0]?.vendorUserId ?? s.member.vendorUserId ?? ""));
      const applied = changed.map((s): MemberResult => ({ position: s.member.position, outcome: "APPLIED" }));
      if (error.transient) return vendorFailure(error, { attempt: job.attempt, maxAttempts }, [...done, ...applied]);
      const refused = todo
        .filter((s) => !changed.includes(s))
        .map((s): MemberResult => ({ position: s.member.position, outcome: "FAILED", detail: error.describe() }));
      return failed(error.describe(), [...done, ...applied, ...refused]);
    }
    return {
      kind: "applied",
      members: [...done, ...todo.map((s) => ({ position: s.member.position, outcome: "APPLIED" as const }))],
      calls: 1,
    };
  }

  /** An error thrown out of an attempt, judged: the lease first, then the fault (attempt-outcome.ts). */
  private classify(error: unknown, job: ClaimedJob, lease: LeaseKeeper, log: Logger): AttemptResult {
    // Whatever the call threw, once the lease is gone the outcome is the new holder's to record.
    if (error instanceof LeaseLost || lease.signal.aborted) return { kind: "lease_lost" };
    const result = thrownFailure(error, { attempt: job.attempt, maxAttempts: this.deps.config.maxAttempts });
    if (result.unexpected) log.error("unexpected error while applying a request", { error });
    else if (result.info.kind === "database")
      log.warn("the database failed during an attempt; it is tried again later", { error });
    const { unexpected: _unexpected, ...judged } = result;
    return judged;
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
        return queue.reschedule(
          job,
          now,
          new Date(now.getTime() + delay),
          retryNote(result.detail, asked),
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
}

function lookupOf(member: RoleRequest["members"][number]): MemberLookup {
  return { ref: member.ref, email: member.email, vendorUserId: member.vendorUserId };
}
