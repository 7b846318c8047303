// The loop the executor, the notice dispatcher and the App Home refresher run on. A wake is how
// an approval reaches the executor at once instead of at the next poll.
import { describe, expect, it } from "vitest";
import { PollingLoop } from "../src/polling-loop.js";
import { quietLogger } from "./support/database.js";
import { waitFor } from "./support/wait.js";

describe("the polling loop", () => {
  it("a wake that comes while a tick runs is not lost: the next tick starts at once, not a poll later", async () => {
    let ticks = 0;
    let finishFirst!: () => void;
    const firstTick = new Promise<void>((resolve) => (finishFirst = resolve));
    const loop = new PollingLoop(
      async () => {
        ticks++;
        if (ticks === 1) await firstTick; // busy (housekeeping, say) when the approval arrives
        return false;
      },
      60_000,
      quietLogger,
      "test loop",
    );
    loop.start();
    await waitFor(() => ticks === 1, "the first tick");
    loop.wake();
    finishFirst();
    await waitFor(() => ticks === 2, "the tick the wake asked for", 1_000); // not 60 s later
    await loop.stop();
    expect(ticks).toBe(2);
  });

  it("a wake while it sleeps starts the next tick at once", async () => {
    let ticks = 0;
    const loop = new PollingLoop(async () => (ticks++, false), 60_000, quietLogger, "test loop");
    loop.start();
    await waitFor(() => ticks === 1, "the first tick");
    await new Promise((r) => setTimeout(r, 20)); // asleep now
    loop.wake();
    await waitFor(() => ticks === 2, "the woken tick", 1_000);
    await loop.stop();
  });
});
