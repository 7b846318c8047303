import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "../../src/config/duration.js";

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

  it("print as the two largest units", () => {
    expect(formatDuration(5_400_000)).toBe("1h 30m");
    expect(formatDuration(90_061_000)).toBe("1d 1h");
    expect(formatDuration(0)).toBe("0s");
  });
});
