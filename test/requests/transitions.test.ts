// One place decides which status changes exist (lifecycle.ts TRANSITIONS): every edge a person's
// decision or rolegate itself can write is listed there, and the one conditional write refuses
// any other.
import { describe, expect, it } from "vitest";
import {
  decide,
  isTransition,
  SYSTEM_TRANSITIONS,
  TRANSITIONS,
  type Command,
  type LifecycleState,
} from "../../src/requests/lifecycle.js";
import { transitionRow } from "../../src/requests/store/writes.js";
import { STATUSES } from "../../src/requests/types.js";
import { useWorld } from "../support/world.js";

const t = useWorld();
const NOW = new Date("2026-11-22T10:00:00Z");

describe("the one transition table", () => {
  it("every decision decide() can reach, over every status and command, is an edge of the table", () => {
    const standing = {
      mayDecide: true,
      requesterMayAsk: true,
      ownAccess: { kind: "none" as const },
      approvers: new Map([["U0FIRST", true]]),
    };
    const commands: Command[] = [
      { type: "approve", actor: "U0APP", standing, now: NOW },
      { type: "deny", actor: "U0APP", mayDecide: true, now: NOW },
      { type: "cancel", actor: "U0REQ", now: NOW },
      { type: "retry", actor: "U0APP", standing, now: NOW, retryWindowMs: 86_400_000 },
    ];
    let reached = 0;
    for (const status of STATUSES) {
      for (const requiredApprovals of [1, 2]) {
        for (const started of [false, true]) {
          const state: LifecycleState = {
            status,
            requesterId: "U0REQ",
            expiresAt: new Date(NOW.getTime() + 3_600_000),
            requiredApprovals,
            approvals: [{ approverId: "U0FIRST", at: new Date(NOW.getTime() - 60_000) }],
            rolesKnown: true,
            started,
            failureCode: null,
            isRevert: false,
          };
          for (const command of commands) {
            const decision = decide(state, command);
            if (!decision.ok) continue;
            reached++;
            expect(
              isTransition(status, decision.to, decision.event),
              `${status} → ${decision.to} (${decision.event})`,
            ).toBe(true);
          }
        }
      }
    }
    expect(reached).toBeGreaterThan(5);
  });

  it("lists the takeover and the give-up the work queue writes, and each system transition once", () => {
    expect(isTransition("EXECUTING", "EXECUTING", "CLAIMED")).toBe(true);
    expect(isTransition("APPROVED", "FAILED", "FAILED")).toBe(true);
    for (const edge of Object.values(SYSTEM_TRANSITIONS))
      expect(
        TRANSITIONS.filter((e) => e.from === edge.from && e.to === edge.to && e.event === edge.event),
      ).toHaveLength(1);
  });

  it("the store refuses to write an edge the table does not list, and changes nothing", async () => {
    const request = await t.world.file();
    await expect(
      t.database.prisma.$transaction((tx) =>
        transitionRow(tx, {
          id: request.id,
          from: "PENDING",
          to: "APPLIED",
          event: "APPLIED",
          actor: "U0APP",
          now: NOW,
          notice: null,
        }),
      ),
    ).rejects.toThrow("PENDING → APPLIED (APPLIED) is not a transition the lifecycle lists");
    expect(await t.world.repo.find(request.id)).toMatchObject({ status: "PENDING" });
  });
});
