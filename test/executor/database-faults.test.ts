// A database that goes away during an attempt — a server restart, a failover, connections cut —
// is a blip the executor rides out: the attempt is retried like a vendor's 503 and counted, a
// change the vendor made is recorded once the database is back, and nothing ends FAILED for it.
// The faults are real: rolegate reaches PostgreSQL through a TCP proxy that cuts and refuses.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { useProxiedDatabase } from "../support/database.js";
import { waitFor } from "../support/wait.js";
import { buildWorld, type World } from "../support/world.js";

const t = useProxiedDatabase("the database server is made unreachable under the executor");
let world: World;
const restarts: NodeJS.Timeout[] = [];

beforeEach(() => {
  world = buildWorld(t.database);
});
afterEach(() => restarts.forEach(clearTimeout));

/** The database server goes away (connections cut, new ones refused) and is back after `ms`. */
async function outage(ms: number): Promise<void> {
  await t.database.proxy.stop();
  restarts.push(setTimeout(() => void t.database.proxy.start(), ms));
}

describe("a database outage under the executor", () => {
  it("before the vendor call: the attempt is retried later and counted, nothing is failed, and the next attempt applies it once", async () => {
    const request = await world.fileApproved();
    world.dolfin.beforeNextRead = () => outage(300);

    expect(await world.executor().runOnce()).toBe(true);

    const after = await world.repo.find(request.id);
    expect(after).toMatchObject({ status: "APPROVED", attempts: 1 });
    expect(after?.failureDetail).toContain("lost its database connection");
    expect(world.dolfin.calls).toHaveLength(0);

    world.clock.advance(60_000); // past the retry's backoff
    expect(await world.executor().runOnce()).toBe(true);
    expect(await world.repo.find(request.id)).toMatchObject({ status: "APPLIED", attempts: 2 });
    expect(world.dolfin.calls).toHaveLength(1);
    expect(world.dolfin.roleOf("usr_1")).toBe("admin");
  });

  it("between the vendor's answer and its record: the change is recorded APPLIED once the database is back", async () => {
    const request = await world.fileApproved();
    let answer!: () => void;
    world.dolfin.nextWrites({
      kind: "stall",
      applyFirst: true,
      until: new Promise<void>((resolve) => (answer = resolve)),
    });

    const run = world.executor().runOnce();
    await waitFor(() => world.dolfin.calls.length === 1, "the vendor call");
    await outage(500);
    answer();
    await run;

    expect(await world.repo.find(request.id)).toMatchObject({ status: "APPLIED", attempts: 1, failureDetail: null });
    expect(world.dolfin.calls).toHaveLength(1);
    expect(await world.delivered(request.id)).toContain("applied");
  });

  it("longer than the lease: the next holder finds the change in place and records it without a second call", async () => {
    const request = await world.fileApproved();
    let answer!: () => void;
    world.dolfin.nextWrites({
      kind: "stall",
      applyFirst: true,
      until: new Promise<void>((resolve) => (answer = resolve)),
    });

    const run = world.executor({ owner: "first", config: { lease: 300 } }).runOnce();
    await waitFor(() => world.dolfin.calls.length === 1, "the vendor call");
    await outage(800);
    answer();
    await run; // gave up recording when its lease could have run out
    const stillExecuting = () =>
      world.repo.find(request.id).then(
        (r) => r?.status === "EXECUTING",
        () => false,
      );
    await waitFor(stillExecuting, "the database back, the request still EXECUTING", 5_000, 50);

    await waitFor(
      () => world.executor({ owner: "second", config: { lease: 300 } }).runOnce(),
      "a takeover once the database is back and the lease ran out",
      5_000,
      100,
    );
    expect(await world.repo.find(request.id)).toMatchObject({ status: "APPLIED", attempts: 2, failureDetail: null });
    expect(world.dolfin.calls).toHaveLength(1);
  });
});
