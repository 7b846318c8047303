// How long notices wait for a woken executor's vendor call: until it is under way, and never
// longer than the cap — once, not notice after notice, when the call is slow in coming.
import { describe, expect, it } from "vitest";
import { CallFirst } from "../../src/executor/call-first.js";

const settled = async (promise: Promise<void>) =>
  Promise.race([promise.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10))]);

describe("CallFirst", () => {
  it("lets notices go at once when no work was given out, and once the right run's call is under way when some was", async () => {
    const first = new CallFirst(5_000);
    expect(await settled(first.clear())).toBe(true);

    first.open((run) => run > 4); // runs 1-4 had begun before the work was given out
    first.open((run) => run > 6); // a second wake: the first wait, and its run, stand
    const waiting = first.clear();
    first.started(4);
    expect(await settled(waiting)).toBe(false);
    first.started(5);
    expect(await settled(waiting)).toBe(true);
    expect(await settled(first.clear())).toBe(true);
  });

  it("ends the wait for everyone at the cap: a call that never comes holds notices back once", async () => {
    const first = new CallFirst(40);
    first.open(() => true);
    const started = Date.now();
    await first.clear();
    expect(Date.now() - started).toBeGreaterThanOrEqual(35);
    expect(await settled(first.clear())).toBe(true); // the next batch does not wait again
  });
});
