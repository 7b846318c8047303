// Filing checks what it can from the config before it asks Slack or any vendor anything.
import { describe, expect, it } from "vitest";
import { MAX_MEMBERS } from "../../src/requests/request-shape.js";
import { VendorError } from "../../src/vendors/errors.js";
import { TargetConnectors } from "../../src/vendors/registry.js";
import { parseConfig } from "../../src/config/file.js";
import { approvalCard } from "../../src/slack/blocks/approval-card.js";
import { FakeSlackApi } from "../support/fake-slack-api.js";
import { CONFIG_YAML, REQUESTER, TEST_ENV, useWorld } from "../support/world.js";

const t = useWorld();

function countingFiling() {
  const asked = { slack: 0, vendor: 0 };
  const connectors = new TargetConnectors(
    t.world.config,
    {
      dolfin: () => {
        asked.vendor++;
        return t.world.dolfin;
      },
    },
    TEST_ENV,
  );
  const filing = t.world.filingWith({
    connectors,
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
    const members = Array.from({ length: 2_000 }, (_, i) => ({
      kind: "slack" as const,
      userId: `U0P${String(i).padStart(6, "0")}`,
    }));

    const result = await filing.file({
      kind: "SET_ROLE",
      targets: ["dolfin-acme"],
      members,
      role: "admin",
      reason: "bulk",
      requesterId: REQUESTER,
    });

    expect(result).toMatchObject({
      ok: false,
      refusal: {
        code: "invalid_request",
        message: `A request can name at most ${MAX_MEMBERS} members; this one names 2000.`,
      },
    });
    expect(asked).toEqual({ slack: 0, vendor: 0 });
    expect(t.world.dolfin.reads).toEqual([]);
  });

  it("an overlong reason or a member named twice is refused before any lookup too", async () => {
    const { filing, asked } = countingFiling();
    const ada = { kind: "email" as const, email: "ada@example.com" };
    const long = await filing.file({
      kind: "SET_ROLE",
      targets: ["dolfin-acme"],
      members: [ada],
      role: "admin",
      reason: "x".repeat(2_001),
      requesterId: REQUESTER,
    });
    expect(long).toMatchObject({ ok: false, refusal: { field: "reason" } });
    const twice = await filing.file({
      kind: "SET_ROLE",
      targets: ["dolfin-acme"],
      members: [ada, ada],
      role: "admin",
      reason: "x",
      requesterId: REQUESTER,
    });
    expect(twice).toMatchObject({
      ok: false,
      refusal: { message: "ada@example.com is named twice; name each member once." },
    });
    expect(asked).toEqual({ slack: 0, vendor: 0 });
  });
});

describe("what approvers see is what was read", () => {
  it("/role add to several Devin organizations reads the member in every organization, and the card says per organization what the one POST overwrites", async () => {
    t.world.vendors.get("devin-b")!.addMember("user-ada", "ada@example.com", "admin");
    const filing = t.world.filingWith();

    const result = await filing.file({
      kind: "ADD_TO_ORGS",
      targets: ["devin-a", "devin-b"],
      members: [{ kind: "email", email: "ada@example.com" }],
      role: "member",
      reason: "joins both teams",
      requesterId: REQUESTER,
    });

    if (!result.ok) throw new Error(result.refusal.message);
    expect(result.value.members[0]).toMatchObject({
      vendorUserId: "user-ada",
      roleWhenFiled: null,
      extraRolesWhenFiled: { "devin-b": "Admin" },
    });
    const card = FakeSlackApi.textOf(approvalCard(result.value, t.world.config.targets));
    expect(card).toContain(
      "ada@example.com: devin-a: not a member → *Member*; devin-b: already a member as Admin; adding overwrites it with *Member*",
    );
  });

  it("a misspelt approvals key refuses filing, naming the key, instead of falling back to default", async () => {
    const config = parseConfig(
      CONFIG_YAML.replace("approvals: { default: 1, owner: 2 }", "approvals: { default: 1, ownr: 2 }"),
      "test",
      TEST_ENV,
    );
    const filing = t.world.filingWith({ config });
    const result = await filing.file({
      kind: "SET_ROLE",
      targets: ["dolfin-acme"],
      members: [{ kind: "email", email: "ada@example.com" }],
      role: "owner",
      reason: "x",
      requesterId: REQUESTER,
    });
    expect(result).toMatchObject({
      ok: false,
      refusal: {
        message: expect.stringContaining('its approvals key "ownr" matches none of its roles (Member, Admin, Owner)'),
      },
    });
    expect(await t.database.prisma.roleRequest.count()).toBe(0);
  });
});

describe("vendor text never leaks a credential", () => {
  it("a lookup error echoing the credential with a NUL and 10,000 characters is stored on the card scrubbed and capped", async () => {
    t.world.dolfin.readError = new VendorError({
      kind: "unavailable",
      message: `proxy said: key=${TEST_ENV.DOLFIN_TOKEN}\u0000\r\n${"y".repeat(10_000)}`,
    });
    const filing = t.world.filingWith();

    const result = await filing.file({
      kind: "SET_ROLE",
      targets: ["dolfin-acme"],
      members: [{ kind: "email", email: "ada@example.com" }],
      role: "admin",
      reason: "x",
      requesterId: REQUESTER,
    });

    if (!result.ok) throw new Error(result.refusal.message);
    const stored = (await t.world.repo.find(result.value.id))!.members[0]!.roleWhenFiled!;
    expect(stored).toMatch(/^unknown: proxy said: key=\[redacted\] y{400,}…$/);
    expect(stored.length).toBeLessThanOrEqual(520);
  });

  it("role names a vendor returns are scrubbed before they reach a form, a card or the database", async () => {
    t.world.dolfin.roles = [{ id: "admin", name: `Admin ${TEST_ENV.DOLFIN_TOKEN}\u202E` }];
    const roles = await t.world.connectors.forTarget("dolfin-acme").listRoles();
    expect(roles).toEqual([{ id: "admin", name: "Admin [redacted]" }]);
  });
});
