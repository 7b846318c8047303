import { describe, expect, it, vi } from "vitest";
import { Housekeeping } from "../../src/requests/housekeeping.js";
import { VendorError } from "../../src/vendors/errors.js";
import { quietLogger, requireServer } from "../support/database.js";
import { forbidden, rateLimited, unavailable } from "../support/fake-connector.js";
import { waitFor } from "../support/wait.js";
import type { ClaimedJob, WorkQueue } from "../../src/requests/store/work-queue.js";
import { APPROVER, SECOND_APPROVER, useWorld } from "../support/world.js";

const t = useWorld();

const events = async (id: string) => (await t.world.history.auditTrail(id)).map((e) => e.type);

/** A short lease for the crash tests; leases run on the database's clock, so they wait for real. */
const LEASE = 300;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The work queue's methods an executor uses, bound, so a test can replace one. */
function bound(queue: WorkQueue) {
  return {
    claimNext: queue.claimNext.bind(queue),
    renewLease: queue.renewLease.bind(queue),
    recordPreviousRoles: queue.recordPreviousRoles.bind(queue),
    finishApplied: queue.finishApplied.bind(queue),
    finishFailed: queue.finishFailed.bind(queue),
    reschedule: queue.reschedule.bind(queue),
    otherGrantsRunning: queue.otherGrantsRunning.bind(queue),
  };
}

/**
 * The work queue as seen by a process that, after cut(), can no longer reach the database (or
 * was killed): its lease renewals never answer, so its lease runs out.
 */
function severable(queue: WorkQueue) {
  let cut = false;
  return {
    queue: {
      ...bound(queue),
      renewLease: (job: ClaimedJob, leaseMs: number) =>
        cut ? new Promise<boolean>(() => {}) : queue.renewLease(job, leaseMs),
    },
    cut: () => {
      cut = true;
    },
  };
}

describe("applying an approved request", () => {
  it("re-reads the member, calls the vendor once, records the previous role and APPLIED, and tells people", async () => {
    const request = await t.world.fileApproved();
    const executor = t.world.executor();

    expect(await executor.runOnce()).toBe(true);

    expect(t.world.dolfin.calls).toHaveLength(1);
    expect(t.world.dolfin.roleOf("usr_1")).toBe("admin");
    const stored = await t.world.repo.find(request.id);
    expect(stored).toMatchObject({ status: "APPLIED", attempts: 1, failureDetail: null });
    expect(stored?.appliedAt).toEqual(t.world.clock.now());
    expect(stored?.members[0]).toMatchObject({ previousRole: "Member", outcome: "APPLIED" });
    expect(await events(request.id)).toEqual(["FILED", "APPROVED", "CLAIMED", "APPLIED"]);
    expect(await t.world.delivered(request.id)).toEqual(["filed", "approved", "applying", "applied"]);
    expect(await executor.runOnce()).toBe(false); // nothing left to do
  });

  it("never touches a request that is not approved", async () => {
    await t.world.file(); // pending
    const denied = await t.world.file();
    await t.world.service.deny(denied.id, APPROVER);
    expect(await t.world.executor().runOnce()).toBe(false);
    expect(t.world.dolfin.calls).toHaveLength(0);
  });

  it("a member who already has the requested role is recorded as applied without a call", async () => {
    t.world.dolfin.addMember("usr_1", "ada@example.com", "admin");
    const request = await t.world.fileApproved();
    await t.world.executor().runOnce();
    expect(t.world.dolfin.calls).toHaveLength(0);
    expect(await t.world.repo.find(request.id)).toMatchObject({
      status: "APPLIED",
      members: [{ outcome: "ALREADY_IN_PLACE" }],
    });
  });

  it("changes only the members not yet in place, in one call", async () => {
    t.world.dolfin.addMember("usr_2", "bob@example.com", "admin");
    const request = await t.world.fileApproved({
      members: [
        { ref: "ada@example.com", email: "ada@example.com", vendorUserId: "usr_1", roleWhenFiled: "Member" },
        { ref: "bob@example.com", email: "bob@example.com", vendorUserId: "usr_2", roleWhenFiled: "Member" },
      ],
    });
    await t.world.executor().runOnce();
    expect(t.world.dolfin.calls).toHaveLength(1);
    const [call] = t.world.dolfin.calls;
    expect(call?.method === "setRole" && call.change.members.map((m) => m.vendorUserId)).toEqual(["usr_1"]);
    expect((await t.world.repo.find(request.id))?.members.map((m) => m.outcome)).toEqual([
      "APPLIED",
      "ALREADY_IN_PLACE",
    ]);
  });

  it("adds members to every organization of the request in one call", async () => {
    const request = await t.world.fileApproved({
      kind: "ADD_TO_ORGS",
      target: "devin-a",
      extraTargets: ["devin-b"],
      requestedRole: { id: "member", name: "Member" },
      members: [{ ref: "ada@example.com", email: "ada@example.com", vendorUserId: "user-ada" }],
    });
    await t.world.executor().runOnce();
    const devinA = t.world.vendors.get("devin-a")!;
    expect(devinA.calls).toHaveLength(1);
    expect(devinA.calls[0]?.method === "addToOrganizations" && devinA.calls[0].change.organizations).toEqual([
      "org-a",
      "org-b",
    ]);
    expect(t.world.vendors.get("devin-b")?.roleOf("user-ada")).toBe("member");
    expect(await t.world.repo.find(request.id)).toMatchObject({
      status: "APPLIED",
      members: [{ previousRole: null, outcome: "APPLIED" }],
    });
  });

  it("a member who left the organization fails the request before any call, saying who", async () => {
    const request = await t.world.fileApproved();
    t.world.dolfin.members.delete("usr_1");
    await t.world.executor().runOnce();
    expect(t.world.dolfin.calls).toHaveLength(0);
    expect(await t.world.repo.find(request.id)).toMatchObject({
      status: "FAILED",
      failureDetail: "ada@example.com is not a member of org-acme any more; nothing was changed.",
    });
  });
});

describe("vendor failures", () => {
  it("a permanent refusal fails the request with the vendor's own words, code and request id", async () => {
    t.world.dolfin.nextWrites({ kind: "error", error: forbidden("You cannot change the role of this user") });
    const request = await t.world.fileApproved();
    await t.world.executor().runOnce();
    expect(await t.world.repo.find(request.id)).toMatchObject({
      status: "FAILED",
      failureDetail: "You cannot change the role of this user (code User.Forbidden, request id req-123)",
      members: [{ outcome: "FAILED" }],
    });
    expect((await t.world.delivered(request.id)).at(-1)).toBe("failed");
    expect(await t.world.executor().runOnce()).toBe(false); // a failure is not retried by itself
  });

  it("a transient failure is retried after an exponential backoff, then applied", async () => {
    t.world.dolfin.nextWrites({ kind: "error", error: unavailable() }, { kind: "error", error: unavailable() });
    const request = await t.world.fileApproved();
    const executor = t.world.executor();

    await executor.runOnce();
    let stored = await t.world.repo.find(request.id);
    expect(stored).toMatchObject({ status: "APPROVED", attempts: 1, failureDetail: "Service unavailable" });
    // firstRetryDelay 10s with equal jitter at 0.5: 7.5s
    expect(stored!.nextAttemptAt!.getTime() - t.world.clock.now().getTime()).toBe(7_500);
    expect(await executor.runOnce()).toBe(false); // not due yet

    t.world.clock.advance(7_500);
    await executor.runOnce();
    stored = await t.world.repo.find(request.id);
    expect(stored!.nextAttemptAt!.getTime() - t.world.clock.now().getTime()).toBe(15_000); // doubled

    t.world.clock.advance(15_000);
    await executor.runOnce();
    expect(await t.world.repo.find(request.id)).toMatchObject({ status: "APPLIED", attempts: 3, failureDetail: null });
    expect(t.world.dolfin.calls).toHaveLength(3);
    expect(await events(request.id)).toEqual([
      "FILED",
      "APPROVED",
      "CLAIMED",
      "RESCHEDULED",
      "CLAIMED",
      "RESCHEDULED",
      "CLAIMED",
      "APPLIED",
    ]);
  });

  it("honours the vendor's retry-after when it is longer than the backoff", async () => {
    t.world.dolfin.nextWrites({ kind: "error", error: rateLimited(120_000) });
    const request = await t.world.fileApproved();
    await t.world.executor().runOnce();
    const stored = await t.world.repo.find(request.id);
    expect(stored!.nextAttemptAt!.getTime() - t.world.clock.now().getTime()).toBe(120_000);
  });

  it("gives up after maxAttempts transient failures and says so", async () => {
    t.world.dolfin.nextWrites(...Array.from({ length: 3 }, () => ({ kind: "error" as const, error: unavailable() })));
    const request = await t.world.fileApproved();
    const executor = t.world.executor();
    for (let i = 0; i < 3; i++) {
      await executor.runOnce();
      t.world.clock.advance(60_000);
    }
    expect(await t.world.repo.find(request.id)).toMatchObject({
      status: "FAILED",
      attempts: 3,
      failureDetail: "Service unavailable — rolegate gave up after 3 attempts.",
    });
  });

  it("a vendor that cannot be read is retried like a failed call, without any write", async () => {
    const request = await t.world.fileApproved();
    t.world.dolfin.readError = rateLimited(30_000);
    await t.world.executor().runOnce();
    expect(t.world.dolfin.calls).toHaveLength(0);
    expect(await t.world.repo.find(request.id)).toMatchObject({
      status: "APPROVED",
      failureDetail: "Too many requests — the vendor asked to wait 30s",
    });
  });

  it("after a partial failure, the retry changes only the rest and keeps each member's first-read role", async () => {
    const both = [
      { ref: "ada@example.com", email: "ada@example.com", vendorUserId: "usr_1", roleWhenFiled: "Member" },
      { ref: "bob@example.com", email: "bob@example.com", vendorUserId: "usr_2", roleWhenFiled: "Member" },
    ];
    const refused = new VendorError({ kind: "forbidden", message: "bob is locked", completedMemberIds: ["usr_1"] });
    t.world.dolfin.nextWrites({ kind: "partial", applyTo: ["usr_1"], error: refused });
    const request = await t.world.fileApproved({ members: both });
    await t.world.executor().runOnce();
    expect(await t.world.repo.find(request.id)).toMatchObject({
      status: "FAILED",
      members: [{ outcome: "APPLIED" }, { outcome: "FAILED" }],
    });

    await t.world.service.retry(request.id, APPROVER);
    await t.world.executor().runOnce();
    const after = await t.world.repo.find(request.id);
    expect(after?.status).toBe("APPLIED");
    expect(after?.members.map((m) => [m.ref, m.previousRole, m.outcome])).toEqual([
      ["ada@example.com", "Member", "APPLIED"], // changed by the first attempt: still its first-read role
      ["bob@example.com", "Member", "APPLIED"],
    ]);
    const second = t.world.dolfin.calls[1];
    expect(second?.method === "setRole" && second.change.members.map((m) => m.vendorUserId)).toEqual(["usr_2"]);
  });

  it("scrubs a credential, control characters and excess length from what a vendor said before storing it", async () => {
    t.world.dolfin.nextWrites({
      kind: "error",
      error: forbidden(`bad key dolfin-secret-value\u0000 in header\n${"x".repeat(10_000)}`),
    });
    const request = await t.world.fileApproved();
    await t.world.executor().runOnce();
    const detail = (await t.world.repo.find(request.id))?.failureDetail ?? "";
    expect(detail).toMatch(/^bad key \[redacted\] in header x{400,}…/);
    expect(detail.length).toBeLessThan(600);
    expect(detail).not.toContain("dolfin-secret-value");
  });

  it("an approver's retry sends a failed request back to the executor", async () => {
    t.world.dolfin.nextWrites({ kind: "error", error: forbidden("Token lacks permission") });
    const request = await t.world.fileApproved();
    await t.world.executor().runOnce();
    expect((await t.world.repo.find(request.id))?.status).toBe("FAILED");

    expect(await t.world.service.retry(request.id, APPROVER)).toMatchObject({
      ok: true,
      value: { status: "APPROVED", attempts: 0, failureDetail: null },
    });
    await t.world.executor().runOnce();
    expect(await t.world.repo.find(request.id)).toMatchObject({ status: "APPLIED", members: [{ outcome: "APPLIED" }] });
    expect(await events(request.id)).toEqual([
      "FILED",
      "APPROVED",
      "CLAIMED",
      "FAILED",
      "RETRIED",
      "CLAIMED",
      "APPLIED",
    ]);
  });

  it("a notifier that fails never rolls back or repeats the vendor change", async () => {
    const request = await t.world.fileApproved();
    t.world.notifier.failing = true;
    await t.world.executor().runOnce();
    await t.world.notices.deliverDue(); // Slack refuses: the notices wait in the outbox
    expect((await t.world.repo.find(request.id))?.status).toBe("APPLIED");
    t.world.notifier.failing = false;
    await waitFor(
      async () => (await t.world.notices.deliverDue()) > 0,
      "the dispatcher's pause before trying again to end",
    );
    expect(await t.world.executor().runOnce()).toBe(false);
    expect(t.world.dolfin.calls).toHaveLength(1);
    expect((await t.world.delivered(request.id)).at(-1)).toBe("applied");
  });
});

describe("several executors and crashes", () => {
  it("two executors on one database never both call the vendor for one request", async () => {
    const requests = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        t.world.fileApproved({
          members: [{ ref: `id:usr_${i + 10}`, vendorUserId: `usr_${i + 10}`, roleWhenFiled: "Member" }],
        }),
      ),
    );
    for (let i = 0; i < 10; i++) t.world.dolfin.addMember(`usr_${i + 10}`, `p${i}@example.com`, "member");
    const a = t.world.executor({ owner: "exec-a" });
    const b = t.world.executor({ owner: "exec-b" });

    const drain = async (executor: typeof a) => {
      while (await executor.runOnce());
    };
    await Promise.all([drain(a), drain(b), drain(a), drain(b)]);

    const called = t.world.dolfin.calls.flatMap((c) =>
      c.method === "setRole" ? c.change.members.map((m) => m.vendorUserId) : [],
    );
    expect(called.sort()).toEqual(requests.map((r) => r.members[0]!.vendorUserId).sort());
    for (const r of requests) expect((await t.world.repo.find(r.id))?.status).toBe("APPLIED");
  });

  it("a claimant that dies before calling is taken over after its lease, and the change is made once", async () => {
    const request = await t.world.fileApproved();
    // The first executor claims and then dies: its claim is all it ever writes.
    const dead = await t.world.queue.claimNext("exec-dead", t.world.clock.now(), { leaseMs: LEASE, maxAttempts: 3 });
    expect(dead?.request.id).toBe(request.id);

    const survivor = t.world.executor({ owner: "exec-b", config: { lease: LEASE } });
    expect(await survivor.runOnce()).toBe(false); // the lease still holds
    await sleep(LEASE + 50); // by the database's clock
    expect(await survivor.runOnce()).toBe(true);

    expect(t.world.dolfin.calls).toHaveLength(1);
    expect(await t.world.repo.find(request.id)).toMatchObject({ status: "APPLIED", attempts: 2 });
    const trail = await t.world.history.auditTrail(request.id);
    expect(trail.filter((e) => e.type === "CLAIMED").map((e) => e.details)).toEqual([
      { attempt: 1 },
      { attempt: 2, takenOverFrom: "exec-dead" },
    ]);
  });

  it("a claimant that dies after the vendor made the change: the next holder finds it in place and makes no second call", async () => {
    const request = await t.world.fileApproved();
    t.world.dolfin.nextWrites({ kind: "stall", applyFirst: true });
    const dying = severable(t.world.queue);
    void t.world.executor({ owner: "exec-dying", config: { lease: LEASE }, queue: dying.queue }).runOnce(); // applies, then never returns

    await waitFor(() => t.world.dolfin.calls.length === 1);
    dying.cut(); // the process is gone: no heartbeat renews its lease any more
    expect(t.world.dolfin.roleOf("usr_1")).toBe("admin");
    expect((await t.world.repo.find(request.id))?.status).toBe("EXECUTING");

    await sleep(LEASE + 50);
    await t.world.executor({ owner: "exec-b", config: { lease: LEASE } }).runOnce();

    expect(t.world.dolfin.calls).toHaveLength(1);
    // The dying claimant's change is ours: recorded as applied, with the role it replaced.
    expect(await t.world.repo.find(request.id)).toMatchObject({
      status: "APPLIED",
      members: [{ outcome: "APPLIED", previousRole: "Member" }],
    });
  });

  it("a stale claimant's late answer records nothing: the outcome is applied once", async () => {
    const request = await t.world.fileApproved();
    let release!: () => void;
    t.world.dolfin.nextWrites({ kind: "stall", applyFirst: true, until: new Promise<void>((r) => (release = r)) });
    const slow = severable(t.world.queue);
    const slowRun = t.world.executor({ owner: "exec-slow", config: { lease: LEASE }, queue: slow.queue }).runOnce();
    await waitFor(() => t.world.dolfin.calls.length === 1);
    slow.cut(); // paused or cut off from the database: its lease runs out

    await sleep(LEASE + 50);
    await t.world.executor({ owner: "exec-b", config: { lease: LEASE } }).runOnce();
    release(); // the slow one's call finally returns
    await slowRun;

    const trail = await t.world.history.auditTrail(request.id);
    expect(trail.filter((e) => e.type === "APPLIED")).toHaveLength(1);
    expect(trail.filter((e) => e.type === "APPLIED")[0]?.actor).toBe("exec-b");
    expect(t.world.dolfin.calls).toHaveLength(1);
    expect((await t.world.delivered(request.id)).filter((t) => t === "applied")).toHaveLength(1);
  });

  it("a stale claimant answering while the new holder is mid-call cannot record its outcome", async () => {
    const request = await t.world.fileApproved();
    let releaseStale!: () => void;
    let releaseHolder!: () => void;
    t.world.dolfin.nextWrites(
      // The stale claimant's call stalls, then comes back refused, having changed nothing.
      {
        kind: "stall",
        applyFirst: false,
        until: new Promise<void>((r) => (releaseStale = r)),
        thenError: forbidden("stale answer"),
      },
      // The new holder's call is still under way when the stale answer arrives.
      { kind: "stall", applyFirst: false, until: new Promise<void>((r) => (releaseHolder = r)) },
    );
    const stale = severable(t.world.queue);
    const staleRun = t.world.executor({ owner: "exec-stale", config: { lease: LEASE }, queue: stale.queue }).runOnce();
    await waitFor(() => t.world.dolfin.calls.length === 1);
    stale.cut();
    await sleep(LEASE + 50);
    const holderRun = t.world.executor({ owner: "exec-holder", config: { lease: LEASE } }).runOnce();
    await waitFor(() => t.world.dolfin.calls.length === 2);

    releaseStale();
    await staleRun;
    expect((await t.world.repo.find(request.id))?.status).toBe("EXECUTING");

    releaseHolder();
    await holderRun;
    expect(await t.world.repo.find(request.id)).toMatchObject({ status: "APPLIED", failureDetail: null });
    expect(await events(request.id)).not.toContain("FAILED");
  });

  it("a request whose claimants all died gets one last read-only attempt, then fails instead of being retried forever", async () => {
    const request = await t.world.fileApproved();
    for (let i = 0; i < 3; i++) {
      await t.world.queue.claimNext(`exec-${i}`, t.world.clock.now(), { leaseMs: 1, maxAttempts: 3 });
      await sleep(5);
    }
    await t.world.executor().runOnce();
    expect(t.world.dolfin.calls).toHaveLength(0);
    expect(await t.world.repo.find(request.id)).toMatchObject({
      status: "FAILED",
      failureDetail: expect.stringContaining("gave up after 3 attempts"),
    });
  });

  it("every attempt counts: a request whose every attempt lost its lease ends FAILED with a Retry, never cycling forever", async () => {
    const request = await t.world.fileApproved();
    t.world.dolfin.reads.length = 0; // the approvals' own-access lookups
    for (let i = 0; i < 4; i++) {
      await t.world.queue.claimNext(`exec-${i}`, t.world.clock.now(), { leaseMs: 1, maxAttempts: 3 });
      await sleep(5);
    }
    // The next claim finds every attempt used up: it fails the request without calling anyone.
    expect(await t.world.executor().runOnce()).toBe(false);
    expect(t.world.dolfin.calls).toHaveLength(0);
    expect(t.world.dolfin.reads).toHaveLength(0);
    expect(await t.world.repo.find(request.id)).toMatchObject({
      status: "FAILED",
      failureDetail: expect.stringContaining("the last ones ended before recording an outcome"),
    });
    expect(await t.world.service.retry(request.id, SECOND_APPROVER)).toMatchObject({
      ok: true,
      value: { status: "APPROVED", attempts: 0 },
    });
  });

  it("a vendor call is aborted as soon as the lease cannot be renewed, and records nothing: the next holder finishes it", async () => {
    const request = await t.world.fileApproved();
    t.world.dolfin.nextWrites({ kind: "hang" });
    const cutOff = severable(t.world.queue);
    const run = t.world.executor({ owner: "exec-a", config: { lease: LEASE }, queue: cutOff.queue }).runOnce();
    await waitFor(() => t.world.dolfin.calls.length === 1);
    cutOff.cut(); // the database stops answering this process
    await run; // aborted by its own lease keeper, well before the lease could run out
    expect(await t.world.repo.find(request.id)).toMatchObject({ status: "EXECUTING" });
    expect(t.world.dolfin.roleOf("usr_1")).toBe("member");

    await sleep(LEASE + 50);
    await t.world.executor({ owner: "exec-b", config: { lease: LEASE } }).runOnce();
    expect(await t.world.repo.find(request.id)).toMatchObject({ status: "APPLIED", attempts: 2 });
  });

  it("a heartbeat keeps the lease while a slow call runs, so no other executor takes the request over", async () => {
    const request = await t.world.fileApproved();
    let release!: () => void;
    t.world.dolfin.nextWrites({ kind: "stall", applyFirst: false, until: new Promise<void>((r) => (release = r)) });
    const slowRun = t.world.executor({ owner: "exec-slow", config: { lease: LEASE } }).runOnce();
    await waitFor(() => t.world.dolfin.calls.length === 1);
    // Nine renewals — three leases long, at one every third of a lease: without them it would
    // have been taken over.
    const renewals = vi.spyOn(t.world.queue, "renewLease");
    await waitFor(() => renewals.mock.settledResults.length >= 9, "nine heartbeats", 10_000);

    expect(await t.world.executor({ owner: "exec-b", config: { lease: LEASE } }).runOnce()).toBe(false);
    release();
    await slowRun;
    expect(await t.world.repo.find(request.id)).toMatchObject({ status: "APPLIED", attempts: 1 });
    expect(t.world.dolfin.calls).toHaveLength(1);
  });
});

describe("the loop", () => {
  it("started beside housekeeping, it applies approved requests while old ones expire, and stops cleanly", async () => {
    const approved = await t.world.fileApproved();
    const stale = await t.world.file();
    t.world.clock.advance(25 * 3_600_000);
    const executor = t.world.executor({ pollMs: 10 });
    const housekeeping = new Housekeeping({
      sweeps: t.world.sweeps,
      config: t.world.config,
      clock: t.world.clock.now,
      logger: quietLogger,
      pollMs: 10,
    });
    executor.start();
    housekeeping.start();
    await waitFor(async () => (await t.world.repo.find(stale.id))?.status === "EXPIRED");
    await Promise.all([executor.stop(), housekeeping.stop()]);
    expect((await t.world.repo.find(approved.id))?.status).toBe("APPLIED");
  });

  it("an approved request whose row another writer holds for a moment (its card being saved) is claimed as soon as the lock goes, not at the next poll", async () => {
    requireServer(t.database.kind, "the lock is held from a second connection");
    const approved = await t.world.fileApproved();
    let release!: () => void;
    const locked = new Promise<void>((resolve) => (release = resolve));
    let holding!: () => void;
    const held = new Promise<void>((resolve) => (holding = resolve));
    const holder = t.database.prisma.$transaction(async (tx) => {
      await tx.$queryRaw`SELECT id FROM role_requests WHERE id = ${approved.id} FOR UPDATE`;
      holding();
      await locked;
    });
    await held;
    const looks = vi.spyOn(t.database.prisma, "$transaction");
    const claiming = t.world.queue.claimNext("exec-a", t.world.clock.now(), { leaseMs: 60_000, maxAttempts: 3 });
    // Released only once the claim has looked and found the row held by another writer.
    await waitFor(() => looks.mock.settledResults.length >= 1, "the claim to meet the held row");
    release();
    await holder;
    expect((await claiming)?.request.id).toBe(approved.id);
  });
});

describe("what is applied is what was approved", () => {
  it("a member whose role was changed at the vendor after approval is not overwritten: the request fails as state_changed, saying who is what now", async () => {
    const request = await t.world.fileApproved(); // the card showed ada: Member → Admin
    t.world.dolfin.addMember("usr_1", "ada@example.com", "owner"); // someone made her Owner meanwhile

    await t.world.executor().runOnce();

    expect(t.world.dolfin.calls).toHaveLength(0);
    expect(t.world.dolfin.roleOf("usr_1")).toBe("owner");
    const stored = await t.world.repo.find(request.id);
    expect(stored).toMatchObject({
      status: "FAILED",
      failureCode: "state_changed",
      failureDetail:
        "ada@example.com is Owner now, not Member as approved; nothing was changed — file a new request if the change is still needed.",
      members: [{ outcome: "FAILED", outcomeDetail: "role changed since approval" }],
    });
    // A retry cannot help: it is refused, and the card offers none.
    expect(await t.world.service.retry(request.id, SECOND_APPROVER)).toMatchObject({
      ok: false,
      refusal: { code: "state_changed" },
    });
  });

  it("a member already in the requested role is still 'already in place', not a changed state", async () => {
    const request = await t.world.fileApproved();
    t.world.dolfin.addMember("usr_1", "ada@example.com", "admin");
    await t.world.executor().runOnce();
    expect(await t.world.repo.find(request.id)).toMatchObject({
      status: "APPLIED",
      members: [{ outcome: "ALREADY_IN_PLACE" }],
    });
  });

  it("an add refuses to overwrite a role someone gave the member in another organization after approval", async () => {
    const request = await t.world.fileApproved({
      kind: "ADD_TO_ORGS",
      target: "devin-a",
      extraTargets: ["devin-b"],
      requestedRole: { id: "member", name: "Member" },
      members: [
        {
          ref: "ada@example.com",
          email: "ada@example.com",
          vendorUserId: "user-ada",
          roleWhenFiled: null,
          extraRolesWhenFiled: { "devin-b": null },
        },
      ],
    });
    t.world.vendors.get("devin-b")!.addMember("user-ada", "ada@example.com", "admin");

    await t.world.executor().runOnce();

    expect(t.world.vendors.get("devin-a")!.calls).toHaveLength(0);
    expect(await t.world.repo.find(request.id)).toMatchObject({
      status: "FAILED",
      failureCode: "state_changed",
      failureDetail: expect.stringContaining(
        "ada@example.com is Admin in devin-b now, though approvers saw no membership there",
      ),
    });
  });
});

describe("bounded waits and refused writes", () => {
  it("a vendor's Retry-After is honoured up to an hour, and the card says what it asked for", async () => {
    t.world.dolfin.nextWrites({ kind: "error", error: rateLimited(5 * 3_600_000) });
    const request = await t.world.fileApproved();
    await t.world.executor().runOnce();
    const stored = await t.world.repo.find(request.id);
    expect(stored!.nextAttemptAt!.getTime() - t.world.clock.now().getTime()).toBe(3_600_000);
    expect(stored?.failureDetail).toBe("Too many requests — the vendor asked to wait 5h; rolegate waits at most 1h");
  });

  it("an outcome the database refuses to record ends the request FAILED with a Retry, instead of cycling", async () => {
    const request = await t.world.fileApproved();
    const refusing = {
      ...bound(t.world.queue),
      finishApplied: async () => Promise.reject(new Error("value too long for type")),
    };
    await t.world.executor({ queue: refusing }).runOnce();
    expect(t.world.dolfin.calls).toHaveLength(1);
    expect(await t.world.repo.find(request.id)).toMatchObject({
      status: "FAILED",
      failureDetail: expect.stringContaining(
        "rolegate could not record the outcome of its attempt (the vendor reported success)",
      ),
    });
    // The Retry reads the vendor again, finds the change in place and records it, with no second call.
    expect(await t.world.service.retry(request.id, SECOND_APPROVER)).toMatchObject({ ok: true });
    await t.world.executor().runOnce();
    expect(await t.world.repo.find(request.id)).toMatchObject({ status: "APPLIED", members: [{ outcome: "APPLIED" }] });
    expect(t.world.dolfin.calls).toHaveLength(1);
  });
});
