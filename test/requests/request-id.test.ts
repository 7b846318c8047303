import { describe, expect, it } from "vitest";
import { newRequestId, normalizeRequestId } from "../../src/requests/request-id.js";

describe("request ids", () => {
  it("are six characters people can read aloud, with no I, L, O or U", () => {
    const ids = new Set(Array.from({ length: 2_000 }, newRequestId));
    expect(ids.size).toBeGreaterThan(1_990);
    for (const id of ids) expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{6}$/);
  });

  it("are understood however they are typed", () => {
    expect(normalizeRequestId("7k2qxm")).toBe("7K2QXM");
    expect(normalizeRequestId(" #7K2QXM ")).toBe("7K2QXM");
    expect(normalizeRequestId("o1lI2Q")).toBe("01112Q");
    expect(normalizeRequestId("7K2QX")).toBeNull();
    expect(normalizeRequestId("7K2QXU")).toBeNull();
  });
});
