// The end of many time-bound grants at once: `count` grants applied together, ending within the
// same minute, then two executors (as two rolegate processes) take every one back. Checks that
// each revert ran exactly once — one vendor call per member each way — and times the reverts.
import { performance } from "node:perf_hooks";
import type { RolegateConfig } from "../src/config/file.js";
import { ManualClock } from "../test/support/clock.js";
import type { TestDatabase } from "../test/support/database.js";
import { FakeConnector } from "../test/support/fake-connector.js";
import { benchParts } from "./parts.js";
import { timed } from "./timing.js";

export interface GrantsFigures {
  grants: number;
  revertSeconds: number;
  revertsPerSecond: number;
  /** Vendor calls the reverts made: exactly one per grant. */
  vendorCalls: number;
}

export async function benchGrantEnds(
  database: TestDatabase,
  config: RolegateConfig,
  count: number,
  concurrency: number,
): Promise<GrantsFigures> {
  const clock = new ManualClock();
  const vendor = new FakeConnector(config.targets.get("bench")!);
  for (let i = 0; i < count; i++) vendor.addMember(`grant_${i}`, `g${i}@example.com`, "member");
  const { filing, service, drain } = benchParts(database, config, vendor, clock.now, ["grants-a", "grants-b"]);

  // Applied at one instant, lasting 60 s to 119 s: every grant ends within the same minute.
  const ids: string[] = [];
  await timed(count, concurrency, async (i) => {
    const filed = await filing.record({
      kind: "SET_ROLE",
      target: "bench",
      requestedRole: { id: "admin", name: "Admin" },
      durationSeconds: 60 + (i % 60),
      reason: "benchmark grant",
      requesterId: "U0REQUEST",
      members: [
        { ref: `g${i}@example.com`, email: `g${i}@example.com`, vendorUserId: `grant_${i}`, roleWhenFiled: "Member" },
      ],
    });
    if (!filed.ok) throw new Error(filed.refusal.message);
    ids[i] = filed.value.id;
    const approved = await service.approve(filed.value.id, "U0APPROVE");
    if (!approved.ok) throw new Error(approved.refusal.message);
  });
  await drain();
  const granted = vendor.calls.length;
  if (granted !== count) throw new Error(`expected ${count} grants applied, got ${granted} calls`);

  clock.advance(120_000); // past every end
  const started = performance.now();
  await drain();
  const revertSeconds = (performance.now() - started) / 1000;

  const reverted = await database.prisma.roleRequest.count({
    where: { revertOf: { in: ids }, status: "APPLIED", attempts: 1 },
  });
  const back = [...vendor.members.values()].filter(
    (m) => m.vendorUserId.startsWith("grant_") && m.role.id === "member",
  ).length;
  if (reverted !== count || back !== count || vendor.calls.length !== 2 * count) {
    throw new Error(
      `expected ${count} reverts applied once each; got ${reverted} reverts, ${back} members back, ${vendor.calls.length - granted} revert calls`,
    );
  }
  return {
    grants: count,
    revertSeconds,
    revertsPerSecond: count / revertSeconds,
    vendorCalls: vendor.calls.length - granted,
  };
}
