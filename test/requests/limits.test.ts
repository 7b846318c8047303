// Per-requester limits (rolegate.yml's limits): one person cannot flood the vendors, the approval
// channel and the approvers. Refused before any Slack or vendor lookup, saying the limit and when
// they can file again; approvers are held to it too.
import { describe, expect, it } from "vitest";
import { unavailable } from "../support/fake-connector.js";
import { APPROVER, REQUESTER, useWorld } from "../support/world.js";

const t = useWorld();

/** One more request by `requesterId`, as the service sees it (a refusal is a value, not a throw). */
const oneMore = (requesterId: string) =>
  t.world.filing.record({
    kind: "SET_ROLE",
    target: "dolfin-acme",
    requestedRole: { id: "admin", name: "Admin" },
    reason: "r",
    requesterId,
    members: [{ ref: "bob@example.com" }],
  });

describe("per-requester limits", () => {
  it("20 requests open at once is the most (the default); a 21st is refused until one is decided or cancelled", async () => {
    const open = [];
    for (let i = 0; i < 20; i++) open.push(await t.world.file());
    const refused = await oneMore(REQUESTER);
    expect(refused).toMatchObject({
      ok: false,
      refusal: { code: "limit", message: expect.stringContaining("You have 20 requests open") },
    });
    expect(await t.world.service.cancel(open[0]!.id, REQUESTER)).toMatchObject({ ok: true });
    await expect(t.world.file()).resolves.toMatchObject({ status: "PENDING" });
  });

  it("30 filed in an hour is the most (the default), approvers included; the refusal says when the next one may be filed", async () => {
    const started = t.world.clock.now();
    for (let i = 0; i < 30; i++) {
      const request = await t.world.file({ requesterId: APPROVER });
      await t.world.service.cancel(request.id, APPROVER); // never more than one open
      t.world.clock.advance(60_000);
    }
    const refused = await oneMore(APPROVER);
    const again = new Date(started.getTime() + 3_600_000).toISOString().slice(11, 16);
    expect(refused).toMatchObject({
      ok: false,
      refusal: { code: "limit", message: expect.stringContaining(`You have filed 30 requests in the last hour`) },
    });
    expect(!refused.ok && refused.refusal.message).toContain(`You can file again at ${again} UTC.`);
    t.world.clock.advance(31 * 60_000); // the first filing leaves the hour
    await expect(t.world.file({ requesterId: APPROVER })).resolves.toMatchObject({ status: "PENDING" });
  });

  it("is checked before anything is asked of Slack or the vendor", async () => {
    for (let i = 0; i < 20; i++) await t.world.file();
    const filing = t.world.filingWith();
    const reads = t.world.dolfin.reads.length;
    t.world.dolfin.rolesError = unavailable(); // reading the roles would refuse differently
    const refused = await filing.file({
      kind: "SET_ROLE",
      targets: ["dolfin-acme"],
      members: [{ kind: "slack", userId: "U0UNKNOWN" }],
      role: "admin",
      reason: "r",
      requesterId: REQUESTER,
    });
    expect(refused).toMatchObject({ ok: false, refusal: { code: "limit" } });
    expect(t.world.dolfin.reads.length).toBe(reads);
  });
});
