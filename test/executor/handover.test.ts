// An approval that makes a request APPROVED claims it, in the same commit, for its own
// process's executor when that executor is idle, which then makes the call at once: no claim
// of its own, no wait for a poll. Everything the queue promises still holds — one call, a
// lease measured by the database, a takeover when the process dies.
import { describe, expect, it, vi } from "vitest";
import { APPROVER } from "../support/world.js";
import { useWorld } from "../support/world.js";
import { waitFor } from "../support/wait.js";

const t = useWorld();
const LEASE = 300;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Long enough that nothing in these tests is ever picked up by a poll. */
const NO_POLL = 60_000;

describe("an approval handed to this process's executor", () => {
  it("is claimed in the approval's commit and applied at once, by one call, without a poll", async () => {
    const executor = t.world.executor({ owner: "exec-here", pollMs: NO_POLL });
    const looks = vi.spyOn(t.world.queue, "claimNext");
    executor.start();
    try {
      // Its first look at the queue has found nothing; the next is a minute away.
      await waitFor(() => looks.mock.settledResults.length >= 1, "the executor's first look at the queue");
      const service = t.world.serviceWith(executor);
      const request = await t.world.file();

      const approved = await service.approve(request.id, APPROVER);
      expect(approved).toMatchObject({ ok: true, value: { status: "EXECUTING", attempts: 1 } });
      await waitFor(
        async () => (await t.world.repo.find(request.id))?.status === "APPLIED",
        "the change to be applied",
        2_000,
      );

      expect(t.world.dolfin.calls.filter((c) => c.method === "setRole")).toHaveLength(1);
      const trail = await t.world.repo.auditTrail(request.id);
      expect(trail.map((e) => [e.type, e.actor])).toEqual([
        ["FILED", request.requesterId],
        ["APPROVED", APPROVER],
        ["CLAIMED", "exec-here"],
        ["APPLIED", "exec-here"],
      ]);
      expect(trail[2]!.details).toEqual({ attempt: 1 });
      expect(trail[2]!.at).toEqual(trail[1]!.at); // one commit
    } finally {
      await executor.stop();
    }
  });

  it("is left to the queue while the executor is busy: the approval commits APPROVED, and the queue applies it", async () => {
    const executor = t.world.executor({ owner: "exec-here", pollMs: NO_POLL });
    executor.start();
    const service = t.world.serviceWith(executor, () => executor.wake());
    let release!: () => void;
    t.world.dolfin.nextWrites({ kind: "stall", applyFirst: false, until: new Promise<void>((r) => (release = r)) });
    try {
      const first = await t.world.file();
      expect(await service.approve(first.id, APPROVER)).toMatchObject({ ok: true, value: { status: "EXECUTING" } });
      await waitFor(() => t.world.dolfin.calls.length === 1, "the first call to be under way");

      const second = await t.world.file({
        members: [{ ref: "bob@example.com", email: "bob@example.com", vendorUserId: "usr_2", roleWhenFiled: "Member" }],
      });
      expect(await service.approve(second.id, APPROVER)).toMatchObject({
        ok: true,
        value: { status: "APPROVED", attempts: 0 },
      });

      release();
      for (const id of [first.id, second.id])
        await waitFor(async () => (await t.world.repo.find(id))?.status === "APPLIED", `${id} to be applied`, 5_000);
      const written = t.world.dolfin.calls
        .filter((c) => c.method === "setRole")
        .flatMap((c) => (c.method === "setRole" ? c.change.members.map((m) => m.vendorUserId) : []));
      expect(written.sort()).toEqual(["usr_1", "usr_2"]);
    } finally {
      release();
      await executor.stop();
    }
  });

  it("takes one of several approvals that commit together; the rest stay in the queue for any replica, and each is applied once", async () => {
    const executor = t.world.executor({ owner: "exec-here", pollMs: NO_POLL });
    executor.start();
    const service = t.world.serviceWith(executor);
    const members = ["usr_1", "usr_2", "usr_3", "usr_4", "usr_5", "usr_6"];
    for (const id of members.slice(3)) t.world.dolfin.addMember(id, `${id}@example.com`, "member");
    const emails = new Map([...t.world.dolfin.members.values()].map((m) => [m.vendorUserId, m.email!]));
    try {
      const requests = await Promise.all(
        members.map((id) =>
          t.world.file({
            members: [
              {
                ref: emails.get(id)!,
                email: emails.get(id)!,
                vendorUserId: id,
                roleWhenFiled: t.world.dolfin.members.get(id)!.role.name,
              },
            ],
          }),
        ),
      );
      const approved = await Promise.all(requests.map((r) => service.approve(r.id, APPROVER)));
      const statuses = approved.map((a) => (a.ok ? a.value.status : a.refusal.code));
      expect(statuses.filter((s) => s === "EXECUTING")).toHaveLength(1);
      expect(statuses.filter((s) => s === "APPROVED")).toHaveLength(5);

      // Another replica's executor claims from the queue what this one was not handed.
      const other = t.world.executor({ owner: "exec-other" });
      while (await other.runOnce());
      for (const r of requests)
        await waitFor(async () => (await t.world.repo.find(r.id))?.status === "APPLIED", `${r.id} to be applied`);
      const claims = await Promise.all(
        requests.map(async (r) =>
          (await t.world.repo.auditTrail(r.id)).filter((e) => e.type === "CLAIMED").map((e) => e.actor),
        ),
      );
      expect(claims.flat().filter((a) => a === "exec-other")).toHaveLength(5);
      expect(t.world.dolfin.calls).toHaveLength(6);
    } finally {
      await executor.stop();
    }
  });

  it("outlives a process that dies right after the approval's commit: another executor takes it over when the lease runs out, and the change is made once", async () => {
    // The approving process claimed the request for its executor, then died before the call.
    const dead = t.world.serviceWith({
      offer: () => ({ owner: "exec-dead", leaseMs: LEASE, release: () => {} }),
      carryOut: () => {},
    });
    const request = await t.world.file();
    expect(await dead.approve(request.id, APPROVER)).toMatchObject({ ok: true, value: { status: "EXECUTING" } });

    const survivor = t.world.executor({ owner: "exec-b", config: { lease: LEASE } });
    expect(await survivor.runOnce()).toBe(false); // the dead process's lease still holds
    await sleep(LEASE + 50); // by the database's clock
    expect(await survivor.runOnce()).toBe(true);

    expect(t.world.dolfin.calls.filter((c) => c.method === "setRole")).toHaveLength(1);
    expect(await t.world.repo.find(request.id)).toMatchObject({ status: "APPLIED", attempts: 2 });
    const trail = await t.world.repo.auditTrail(request.id);
    expect(trail.filter((e) => e.type === "CLAIMED").map((e) => e.details)).toEqual([
      { attempt: 1 },
      { attempt: 2, takenOverFrom: "exec-dead" },
    ]);
  });

  it("is never handed over by a refused approval: the requester's own click claims nothing", async () => {
    let offered = 0;
    const service = t.world.serviceWith({
      offer: () => ({ owner: "exec-here", leaseMs: LEASE, release: () => {} }),
      carryOut: () => {
        offered++;
      },
    });
    const request = await t.world.file();
    const refused = await service.approve(request.id, request.requesterId);
    expect(refused).toMatchObject({ ok: false, refusal: { code: "self_approval" } });
    expect(offered).toBe(0);
    expect(await t.world.repo.find(request.id)).toMatchObject({ status: "PENDING", attempts: 0 });
    expect((await t.world.repo.auditTrail(request.id)).map((e) => e.type)).toEqual(["FILED", "REFUSED"]);
  });
});
