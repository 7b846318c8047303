// Filing checks what it can from the config before it asks Slack or any vendor anything.
import { describe, expect, it } from "vitest";
import { Filing } from "../../src/requests/filing.js";
import { MAX_MEMBERS } from "../../src/requests/request-shape.js";
import { TargetConnectors } from "../../src/vendors/registry.js";
import { REQUESTER, TEST_ENV, useWorld } from "../support/world.js";

const t = useWorld();

function countingFiling() {
  const asked = { slack: 0, vendor: 0 };
  const connectors = new TargetConnectors(t.world.config, {
    dolfin: () => {
      asked.vendor++;
      return t.world.dolfin;
    },
  }, TEST_ENV);
  const filing = new Filing({
    service: t.world.service,
    connectors,
    config: t.world.config,
    slackUsers: {
      emailOf: async (id) => {
        asked.slack++;
        return `${id.toLowerCase()}@example.com`;
      },
    },
  });
  return { filing, asked };
}

describe("limits before work", () => {
  it("a request naming 2,000 members is refused before any Slack or vendor lookup", async () => {
    const { filing, asked } = countingFiling();
    const members = Array.from({ length: 2_000 }, (_, i) => ({ kind: "slack" as const, userId: `U0P${String(i).padStart(6, "0")}` }));

    const result = await filing.file({ kind: "SET_ROLE", targets: ["dolfin-acme"], members, role: "admin", reason: "bulk", requesterId: REQUESTER });

    expect(result).toMatchObject({ ok: false, refusal: { code: "invalid_request", message: `A request can name at most ${MAX_MEMBERS} members; this one names 2000.` } });
    expect(asked).toEqual({ slack: 0, vendor: 0 });
    expect(t.world.dolfin.reads).toEqual([]);
  });

  it("an overlong reason or a member named twice is refused before any lookup too", async () => {
    const { filing, asked } = countingFiling();
    const ada = { kind: "email" as const, email: "ada@example.com" };
    const long = await filing.file({ kind: "SET_ROLE", targets: ["dolfin-acme"], members: [ada], role: "admin", reason: "x".repeat(2_001), requesterId: REQUESTER });
    expect(long).toMatchObject({ ok: false, refusal: { field: "reason" } });
    const twice = await filing.file({ kind: "SET_ROLE", targets: ["dolfin-acme"], members: [ada, ada], role: "admin", reason: "x", requesterId: REQUESTER });
    expect(twice).toMatchObject({ ok: false, refusal: { message: "ada@example.com is named twice; name each member once." } });
    expect(asked).toEqual({ slack: 0, vendor: 0 });
  });
});
