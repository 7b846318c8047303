import { describe, expect, it } from "vitest";
import { directionOf } from "../../src/requests/access-direction.js";

const role = (name: string) => ({ id: name.toLowerCase(), name });

describe("which way a change moves a member's access", () => {
  it("reads each vendor's ladder of built-in roles, by name or id, in any case", () => {
    expect(directionOf("dolfin", "Owner", role("Member"))).toBe("lowers");
    expect(directionOf("dolfin", "member", role("Admin"))).toBe("raises");
    expect(directionOf("devin", "Org Admin", { id: "org_member", name: "Member" })).toBe("lowers");
    expect(directionOf("sentry", "Manager", role("Manager"))).toBe("same");
    expect(directionOf("devin", null, { id: "org_member", name: "Member" })).toBe("raises"); // joining
  });

  it("cannot place a custom role, and says so rather than guess", () => {
    expect(directionOf("aitronos", "Department Manager", role("Member"))).toBe("unknown");
    expect(directionOf("sentry", "Billing", role("Member"))).toBe("unknown");
    expect(directionOf("aitronos", "unknown: the vendor did not answer", role("Admin"))).toBe("unknown");
  });

  it("weighs Sentry team roles where the org role stays: raised, lowered, or unknown until read", () => {
    const before = [{ team: "web", role: "admin" }];
    expect(directionOf("sentry", "Member", role("Member"), [{ team: "web", role: "contributor" }], before)).toBe(
      "lowers",
    );
    expect(directionOf("sentry", "Member", role("Member"), [{ team: "api", role: "contributor" }], before)).toBe(
      "raises",
    );
    expect(directionOf("sentry", "Member", role("Member"), [{ team: "web", role: null }], before)).toBe("lowers");
    expect(directionOf("sentry", "Member", role("Member"), [{ team: "web", role: "contributor" }], null)).toBe(
      "unknown",
    );
    expect(directionOf("sentry", "Member", role("Member"), [{ team: "web", role: "admin" }], null)).toBe("raises");
  });
});
