// /healthz and /readyz as a load balancer or Kubernetes probes them: alive is only "the process
// answers"; ready is "the database answers, every migration of this build is applied, and Slack
// has not refused the token", and says which of those is not so (Slack down: slack-outage.test).
import { describe, expect, it } from "vitest";
import { BOT_TOKEN, useSlackHarness, waitFor } from "../support/slack-harness.js";

const h = useSlackHarness();

async function probe(path: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${h.origin}${path}`);
  return { status: response.status, body: await response.json() };
}

describe("health probes", () => {
  it("/readyz is 200 when the database, its migrations and Slack are all fine", async () => {
    expect(await probe("/readyz")).toEqual({
      status: 200,
      body: { ok: true, checks: { database: "ok", migrations: "ok", slack: "ok" } },
    });
    expect(await probe("/healthz")).toEqual({ status: 200, body: { ok: true } });
  });

  it("/readyz is 503 naming the migration this build ships that the database lacks", async () => {
    const [newest] = await h.database.prisma.$queryRaw<{ migration_name: string; checksum: string }[]>`
      DELETE FROM "_prisma_migrations" WHERE migration_name = (SELECT max(migration_name) FROM "_prisma_migrations") RETURNING migration_name, checksum`;
    try {
      expect(await probe("/readyz")).toEqual({
        status: 503,
        body: {
          ok: false,
          checks: { database: "ok", migrations: `1 not applied (${newest!.migration_name})`, slack: "ok" },
        },
      });
    } finally {
      await h.database.prisma.$executeRaw`
        INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
        VALUES (gen_random_uuid()::text, ${newest!.checksum}, ${newest!.migration_name}, now(), now(), 1)`;
    }
  });

  it("/readyz is 503 with Slack's reason when the token is revoked, while /healthz stays 200", async () => {
    h.slack.on("auth.test", () => ({ ok: false, error: "token_revoked" }));
    await waitFor(
      async () => (await probe("/readyz")).status === 503,
      "the next check of Slack to see the token refused",
    );
    expect(await probe("/readyz")).toEqual({
      status: 503,
      body: { ok: false, checks: { database: "ok", migrations: "ok", slack: "token refused: token_revoked" } },
    });
    expect(await probe("/healthz")).toEqual({ status: 200, body: { ok: true } });
  });

  it("/readyz never repeats a secret, even when Slack's answer quotes the token", async () => {
    h.slack.on("auth.test", () => ({ ok: false, error: `invalid_auth for ${BOT_TOKEN}` }));
    await waitFor(
      async () => (await probe("/readyz")).status === 503,
      "the next check of Slack to see the token refused",
    );
    const { status, body } = await probe("/readyz");
    expect(status).toBe(503);
    expect(JSON.stringify(body)).not.toContain(BOT_TOKEN);
    expect(body).toMatchObject({ checks: { slack: "token refused: invalid_auth for [redacted]" } });
  });
});
