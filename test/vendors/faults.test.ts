// The same faults, against every connector: whatever a vendor does, rolegate gets a typed error
// with words for people — never a crash, never a hang.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AITRONOS_KEY, FakeAitronos } from "../support/fake-vendors/aitronos.js";
import { DEVIN_KEY, FakeDevin } from "../support/fake-vendors/devin.js";
import { DOLFIN_KEY, FakeDolfin } from "../support/fake-vendors/dolfin.js";
import type { FakeVendorServer } from "../support/fake-vendors/server.js";
import { FakeSentry, SENTRY_TOKEN } from "../support/fake-vendors/sentry.js";
import { connectorFor, vendorFailure } from "../support/vendor-target.js";

const sentry = new FakeSentry("acme");
sentry.addMember("1", "bot@example.com", "owner");
const vendors: [name: "sentry" | "devin" | "dolfin" | "aitronos", fake: FakeVendorServer, org: string, key: string][] =
  [
    ["sentry", sentry, "acme", SENTRY_TOKEN],
    ["devin", new FakeDevin(), "org-a", DEVIN_KEY],
    ["dolfin", new FakeDolfin("org-acme"), "org-acme", DOLFIN_KEY],
    ["aitronos", new FakeAitronos("org_acme01"), "org_acme01", AITRONOS_KEY],
  ];

beforeAll(async () => {
  await Promise.all(vendors.map(([, fake]) => fake.start()));
});
afterAll(async () => {
  await Promise.all(vendors.map(([, fake]) => fake.stop()));
});

describe.each(vendors)("%s", (vendor, fake, org, key) => {
  it("a wrong credential is 'forbidden', with the vendor's words", async () => {
    const error = await vendorFailure(connectorFor(vendor, org, fake.origin, `${key}-wrong`).checkAccess());
    expect(error).toMatchObject({ kind: "forbidden", httpStatus: 401 });
    expect(error.message).not.toMatch(/^HTTP 401/); // the vendor's own sentence, not a status line
  });

  it("no answer within the timeout, or a body that is not JSON, is 'unavailable'", async () => {
    const c = connectorFor(vendor, org, fake.origin, key);
    for (let i = 0; i < 3; i++) fake.failNext({ hang: true }); // reads are retried: hang every try
    expect(await vendorFailure(c.checkAccess())).toMatchObject({
      kind: "unavailable",
      message: "the vendor did not answer in time",
    });
    for (let i = 0; i < 3; i++)
      fake.failNext({ status: 200, raw: '{"truncated": ', headers: { "content-type": "application/json" } });
    expect(await vendorFailure(c.checkAccess())).toMatchObject({
      kind: "unavailable",
      message: expect.stringContaining("not JSON"),
    });
  });

  it("a caller's abort stops the call at once", async () => {
    fake.failNext({ hang: true });
    const aborted = connectorFor(vendor, org, fake.origin, key).checkAccess({ signal: AbortSignal.timeout(50) });
    await expect(aborted).rejects.toMatchObject({ name: expect.stringMatching(/TimeoutError|AbortError/) });
  });
});
