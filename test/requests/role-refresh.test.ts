// Approvers always decide on a known current role.
import { describe, expect, it } from "vitest";
import { RoleRefresh } from "../../src/requests/role-refresh.js";
import { quietLogger } from "../support/database.js";
import { unavailable } from "../support/fake-connector.js";
import { APPROVER, useWorld } from "../support/world.js";

const t = useWorld();

const refresher = () =>
  new RoleRefresh({
    sweeps: t.world.sweeps,
    connectors: t.world.connectors,
    clock: t.world.clock.now,
    logger: quietLogger,
  });

describe("a role the card shows as unknown", () => {
  it("an approval does not count until rolegate has read the role in the background and put it on the card", async () => {
    const request = await t.world.file({
      members: [
        {
          ref: "ada@example.com",
          email: "ada@example.com",
          vendorUserId: "usr_1",
          roleWhenFiled: "unknown: Service unavailable",
        },
      ],
    });

    const early = await t.world.service.approve(request.id, APPROVER);
    expect(early).toMatchObject({ ok: false, refusal: { code: "roles_unknown" } });
    expect((await t.world.repo.find(request.id))?.approvals).toEqual([]);

    expect(await refresher().run()).toBe(1);
    const read = await t.world.repo.find(request.id);
    expect(read?.members[0]?.roleWhenFiled).toBe("Member");
    expect(await t.world.delivered(request.id)).toEqual(["filed", "roles_read"]); // the card is redrawn
    expect((await t.world.history.auditTrail(request.id)).map((e) => e.type)).toContain("ROLES_READ");

    expect(await t.world.service.approve(request.id, APPROVER)).toMatchObject({
      ok: true,
      value: { status: "APPROVED" },
    });
  });

  it("a vendor still down leaves it unknown and is asked again only after a pause", async () => {
    const request = await t.world.file({
      members: [
        {
          ref: "ada@example.com",
          email: "ada@example.com",
          vendorUserId: "usr_1",
          roleWhenFiled: "unknown: Service unavailable",
        },
      ],
    });
    t.world.dolfin.readError = unavailable();
    const refresh = refresher();
    expect(await refresh.run()).toBe(0);
    expect(await refresh.run()).toBe(0);
    expect(t.world.dolfin.reads).toHaveLength(1); // the second run was too soon to ask again

    t.world.dolfin.readError = undefined;
    t.world.clock.advance(30_000);
    expect(await refresh.run()).toBe(1);
    expect((await t.world.repo.find(request.id))?.members[0]?.roleWhenFiled).toBe("Member");
  });
});
