// A time-bound grant from end to end: asked for with a signed /role command, approved with a
// signed click, applied and taken back by rolegate's real Dolfin connector against a fake Dolfin
// on a loopback HTTP server (seed 003), with the clock moved by hand instead of waited for.
import { describe, expect, it } from "vitest";
import { revertId } from "../../src/requests/store/reverts.js";
import { ACTIONS } from "../../src/slack/action-ids.js";
import { APPROVER, REQUESTER, SECOND_APPROVER, useSlackHarness, waitFor } from "../support/slack-harness.js";

const h = useSlackHarness("", "", { httpDolfin: true });

const patches = () => h.httpDolfin!.writes().map((w) => [w.method, w.path, w.json]);
const roleOfAda = () => h.httpDolfin!.users.get("u-ada")!.role;

async function grantApplied(): Promise<string> {
  const id = await h.fileRequest("set dolfin-http ada@example.com admin for 1m incident 42");
  await h.click(APPROVER, ACTIONS.approve, id);
  await waitFor(async () => (await h.rolegate.repo.find(id))?.status === "APPLIED", "the grant to be applied");
  await h.noticesDelivered();
  expect(roleOfAda()).toBe("Admin");
  return id;
}

/** Moves the clock past the grant's minute and lets the executor see it. */
function timeIsUp(): void {
  h.clock.advance(61_000);
  h.rolegate.executor.wake();
}

describe("a time-bound grant, end to end", () => {
  it("is applied and, once its time is up, reverted to the member's previous role with exactly one PATCH each way", async () => {
    const id = await grantApplied();
    expect(h.cardText(id)).toContain("Admin for 1m (until");

    timeIsUp();
    await waitFor(async () => (await h.rolegate.repo.find(revertId(id, 0)))?.status === "APPLIED", "the revert");
    expect(roleOfAda()).toBe("Member");
    expect(patches()).toEqual([
      ["PATCH", "/users/u-ada/role", { role: "Admin" }],
      ["PATCH", "/users/u-ada/role", { role: "Member" }],
    ]);
    await waitFor(
      () => h.cardText(id).includes("every member is back in their previous role"),
      "the card to say it ended",
    );
    await waitFor(
      () => h.dmsTo(REQUESTER).some((t) => t.includes(`request *${id}* ended: ada@example.com is Member again`)),
      "the requester to be told",
    );
  });

  it("a revert that finds the role changed at the vendor meanwhile leaves it, and says so loudly on the card and to the approvers", async () => {
    const id = await grantApplied();
    h.httpDolfin!.users.get("u-ada")!.role = "Owner"; // someone made Ada Owner at Dolfin meanwhile

    timeIsUp();
    await waitFor(async () => (await h.rolegate.repo.find(revertId(id, 0)))?.status === "FAILED", "the revert to stop");
    expect(await h.rolegate.repo.find(revertId(id, 0))).toMatchObject({ failureCode: "state_changed" });
    expect(roleOfAda()).toBe("Owner");
    expect(patches()).toHaveLength(1); // only the grant's own
    await waitFor(() => h.cardText(id).includes("rolegate could not take this access back"), "the card to say so");
    expect(h.cardText(id)).toContain("ada@example.com is Owner now, not Admin as approved");
    for (const approver of [APPROVER, SECOND_APPROVER]) {
      await waitFor(
        () => h.dmsTo(approver).some((t) => t.includes("rolegate could not take back the Admin access")),
        `a DM to ${approver}`,
      );
    }
  });

  it("a grant whose end passed while rolegate was down is reverted when it starts again, once", async () => {
    const id = await grantApplied();
    await h.restart(() => h.clock.advance(10 * 60_000)); // down for ten minutes across the end
    await waitFor(
      async () => (await h.rolegate.repo.find(revertId(id, 0)))?.status === "APPLIED",
      "the revert after the restart",
    );
    expect(roleOfAda()).toBe("Member");
    expect(patches()).toHaveLength(2);
    expect(await h.rolegate.repo.find(revertId(id, 0))).toMatchObject({ attempts: 1 });
  });
});
