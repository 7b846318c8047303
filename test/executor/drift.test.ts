// What the vendor shows right before the call, against what approvers saw on the card: only a
// member as approved is changed; one moved meanwhile is named, with what they are now.
import { describe, expect, it } from "vitest";
import { changedEarlier, inPlace, movedSinceFiling } from "../../src/executor/drift.js";
import type { VendorMember } from "../../src/vendors/connector.js";
import { sampleRequest } from "../support/sample-request.js";

const as = (name: string): VendorMember => ({
  vendorUserId: "1",
  email: "ada@example.com",
  role: { id: name.toLowerCase(), name },
});

describe("a member re-read before the call", () => {
  const request = sampleRequest(); // ada: Member → Admin
  const ada = request.members[0]!;

  it("still as the card showed: nothing moved, not yet in place", () => {
    expect(movedSinceFiling(request, ada, [as("Member")])).toEqual([]);
    expect(inPlace(request, [as("Member")])).toBe(false);
  });

  it("already in the requested role (any case): in place, nothing moved", () => {
    expect(inPlace(request, [{ ...as("admin"), role: { id: "ADMIN", name: "admin" } }])).toBe(true);
    expect(movedSinceFiling(request, ada, [as("Admin")])).toEqual([]);
  });

  it("promoted at the vendor meanwhile: named, with the role approvers saw", () => {
    expect(movedSinceFiling(request, ada, [as("Owner")])).toEqual([
      { position: 0, sentence: "ada@example.com is Owner now, not Member as approved" },
    ]);
  });

  it("gone from the organization, or never read: moved", () => {
    expect(movedSinceFiling(request, ada, [null])).toEqual([
      { position: 0, sentence: "ada@example.com is no longer a member now, not Member as approved" },
    ]);
    const unread = sampleRequest({ members: [{ ...ada, roleWhenFiled: "unknown: timeout" }] });
    expect(movedSinceFiling(unread, unread.members[0]!, [as("Member")])).toEqual([
      { position: 0, sentence: "ada@example.com is Member now, and approvers never saw a known role" },
    ]);
  });

  it("in place because an earlier attempt of ours changed it: its first reading showed another role", () => {
    expect(changedEarlier({ ...ada, previousRole: "Member" }, request)).toBe(true);
    expect(changedEarlier({ ...ada, previousRole: "Admin" }, request)).toBe(false);
    expect(changedEarlier({ ...ada, previousRole: null }, request)).toBe(false);
  });
});
