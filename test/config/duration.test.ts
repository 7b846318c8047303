import { describe, expect, it } from "vitest";
import { parseDuration } from "../../src/config/duration.js";

describe("durations", () => {
  it("read as people write them", () => {
    expect(parseDuration("90s")).toBe(90_000);
    expect(parseDuration("24h")).toBe(86_400_000);
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("1h 30m")).toBe(5_400_000);
    expect(parseDuration("2d")).toBe(172_800_000);
  });

  it("refuse what could mean two things", () => {
    for (const text of ["24", "", "1 day", "h", "1.5h", "-1h"]) expect(parseDuration(text), text).toBeNull();
  });
});
