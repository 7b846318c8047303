// What rolegate keeps of Slack's and the vendors' answers: each key read once per ttl, a burst
// sharing one read, and a failed read never kept — the next caller asks again.
import { describe, expect, it } from "vitest";
import { TtlCache } from "../src/ttl-cache.js";
import { doublingDelay } from "../src/backoff.js";

describe("a kept answer", () => {
  it("is read once per key until it is ttl old, then read again", async () => {
    let now = 0;
    let reads = 0;
    const cache = new TtlCache<string, number>(1_000, () => now);
    const read = async () => ++reads;
    expect(await cache.get("a", read)).toBe(1);
    now = 999;
    expect(await cache.get("a", read)).toBe(1);
    expect(await cache.get("b", read)).toBe(2); // another key, its own read
    now = 1_000;
    expect(await cache.get("a", read)).toBe(3);
  });

  it("is read once for a burst of callers, and a failed read is not kept", async () => {
    const cache = new TtlCache<string, string>(60_000);
    let calls = 0;
    let fail = true;
    const read = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 5));
      if (fail) throw new Error("Slack is down");
      return "ada@example.com";
    };
    const burst = await Promise.allSettled([cache.get("U1", read), cache.get("U1", read), cache.get("U1", read)]);
    expect(calls).toBe(1);
    expect(burst.every((r) => r.status === "rejected")).toBe(true);
    fail = false;
    expect(await cache.get("U1", read)).toBe("ada@example.com");
    expect(calls).toBe(2);
  });

  it("keeps no more than its limit of keys once they have expired", async () => {
    let now = 0;
    const cache = new TtlCache<number, number>(10, () => now, 3);
    for (let i = 0; i < 3; i++) await cache.get(i, async () => i);
    now = 100; // all three expired
    let reads = 0;
    await cache.get(99, async () => ++reads);
    await cache.get(0, async () => ++reads); // dropped with the others: read again
    expect(reads).toBe(2);
  });
});

describe("the pause before trying again", () => {
  it("doubles from the first, up to the cap", () => {
    expect([1, 2, 3, 4, 5, 6].map((attempt) => doublingDelay(attempt, 100, 2_000))).toEqual([
      100, 200, 400, 800, 1_600, 2_000,
    ]);
    expect(doublingDelay(0, 100, 2_000)).toBe(100);
  });
});
