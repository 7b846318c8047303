// What an attempt's ending means for the request, decided without a database or a vendor: a
// fault a later attempt can get past is retried until the attempts run out, anything else fails
// the request for good, and the card says what the vendor asked.
import { describe, expect, it } from "vitest";
import { failed, retryNote, thrownFailure, vendorFailure } from "../../src/executor/attempt-outcome.js";
import { VendorError } from "../../src/vendors/errors.js";

const FIRST = { attempt: 1, maxAttempts: 3 };
const LAST = { attempt: 3, maxAttempts: 3 };

describe("a vendor's answer", () => {
  it("a 503 or a 429 is retried, keeping the vendor's wait and request id; at the last attempt it fails saying rolegate gave up", () => {
    const busy = new VendorError({
      kind: "rate_limited",
      message: "slow down",
      httpStatus: 429,
      retryAfterMs: 30_000,
      requestId: "req-9",
    });
    expect(vendorFailure(busy, FIRST)).toMatchObject({
      kind: "retry",
      retryAfterMs: 30_000,
      detail: "slow down (request id req-9)",
      info: { kind: "rate_limited", httpStatus: 429, vendorRequestId: "req-9" },
    });
    expect(vendorFailure(busy, LAST)).toMatchObject({
      kind: "failed",
      detail: "slow down (request id req-9) — rolegate gave up after 3 attempts.",
    });
  });

  it("a refusal (403, 404, 409, 400) fails at once, whatever attempt it is, and keeps what the call did first", () => {
    const refused = new VendorError({ kind: "forbidden", message: "token lacks org:admin", httpStatus: 403 });
    const changedFirst = [{ position: 0, outcome: "APPLIED" as const }];
    expect(vendorFailure(refused, FIRST, changedFirst)).toMatchObject({
      kind: "failed",
      detail: "token lacks org:admin",
      members: changedFirst,
    });
  });
});

describe("an error thrown out of an attempt", () => {
  it("a timeout is retried as 'the vendor did not answer in time'", () => {
    const timeout = Object.assign(new Error("aborted"), { name: "TimeoutError" });
    expect(thrownFailure(timeout, FIRST)).toMatchObject({
      kind: "retry",
      detail: "The vendor did not answer in time.",
    });
  });

  it("a database blip is retried, saying nothing was changed at the vendor; at the last attempt it fails", () => {
    const blip = Object.assign(new Error("Connection terminated unexpectedly"), { code: "57P01" });
    expect(thrownFailure(blip, FIRST)).toMatchObject({
      kind: "retry",
      info: { kind: "database" },
      detail: expect.stringContaining("nothing was changed at the vendor"),
    });
    expect(thrownFailure(blip, LAST)).toMatchObject({
      kind: "failed",
      detail: expect.stringContaining("gave up after 3"),
    });
  });

  it("anything else fails the request for good and is marked unexpected, for the log", () => {
    expect(thrownFailure(new TypeError("x is undefined"), FIRST)).toMatchObject({
      kind: "failed",
      detail: "rolegate hit an unexpected error: x is undefined",
      unexpected: true,
    });
  });
});

describe("the card's words", () => {
  it("say how long the vendor asked to wait, and that rolegate waits at most an hour", () => {
    expect(retryNote("busy", undefined)).toBe("busy");
    expect(retryNote("busy", 45_000)).toBe("busy — the vendor asked to wait 45s");
    expect(retryNote("busy", 86_400_000)).toBe("busy — the vendor asked to wait 24h; rolegate waits at most 1h");
  });

  it("a failure a retry cannot help carries its code", () => {
    expect(failed("moved", [], "state_changed")).toEqual({
      kind: "failed",
      members: [],
      detail: "moved",
      info: { code: "state_changed" },
      code: "state_changed",
    });
  });
});
