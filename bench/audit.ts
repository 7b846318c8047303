// npm run bench -- --audit: GET /audit/events of AUDIT_EVENTS (1,000,000) events, as JSON lines
// and as CSV, from the built process (node dist/main.js, as production runs it) on PostgreSQL.
// The events are seeded in SQL: 250,000 requests of 4 events each (filed, approved, claimed,
// applied) by 500 people over a year. Reports each export's time, size and the process's peak
// RSS while it streamed, sampled from /metrics.
import { performance } from "node:perf_hooks";
import { openTestDatabase } from "../test/support/database.js";
import { FakeSlackApi } from "../test/support/fake-slack-api.js";
import { BOT_TOKEN, startBuiltRolegate } from "./built-process.js";

const TOKEN = "bench-audit-token-0123456789abcdef0123456789";
const DAY = 86_400_000;

export interface AuditFigures {
  events: number;
  seedSeconds: number;
  idleRssMb: number;
  exports: { format: string; lines: number; megabytes: number; seconds: number; peakRssMb: number }[];
}

export async function benchAudit(events: number): Promise<AuditFigures> {
  const requests = Math.ceil(events / 4);
  const database = await openTestDatabase({ poolSize: 4 });
  const slack = new FakeSlackApi(BOT_TOKEN);
  await slack.start();
  for (let i = 0; i < 500; i++) slack.users.set(`U${String(i).padStart(8, "0")}`, `person${i}@example.com`);
  const seeding = performance.now();
  await database.prisma.$executeRawUnsafe(`
    INSERT INTO role_requests (id, kind, target, requested_role_id, requested_role_name, reason, requester_id, status,
                               required_approvals, expires_at, created_at, updated_at, applied_at)
    SELECT 'A' || lpad(to_hex(g), 7, '0'), 'SET_ROLE', 'bench', 'admin', 'Admin', 'benchmark, "quoted", and long enough', 'U' || lpad((g % 500)::text, 8, '0'),
           'APPLIED', 1, now(), now() - (g * interval '2 minutes'), now(), now() - (g * interval '2 minutes')
    FROM generate_series(1, ${requests}) AS g`);
  await database.prisma.$executeRawUnsafe(`
    INSERT INTO request_members (request_id, position, ref, email, vendor_user_id, role_when_filed, outcome)
    SELECT 'A' || lpad(to_hex(g), 7, '0'), 0, 'm' || g || '@example.com', 'm' || g || '@example.com', 'usr_' || g, 'Member', 'APPLIED'
    FROM generate_series(1, ${requests}) AS g`);
  await database.prisma.$executeRawUnsafe(`
    INSERT INTO audit_events (request_id, type, actor, details, created_at)
    SELECT 'A' || lpad(to_hex(g), 7, '0'), t.type::"AuditEventType", t.actor, '{}', now() - (g * interval '2 minutes') + t.n * interval '1 second'
    FROM generate_series(1, ${requests}) AS g,
      (VALUES (0, 'FILED', 'U00000001'), (1, 'APPROVED', 'U00000002'), (2, 'CLAIMED', 'rolegate'), (3, 'APPLIED', 'rolegate')) AS t(n, type, actor)`);
  await database.prisma.$executeRawUnsafe("ANALYZE");
  const seedSeconds = (performance.now() - seeding) / 1000;

  const rolegate = await startBuiltRolegate({
    databaseUrl: database.url,
    slack,
    config: `approvalChannel: C0APPROVALS
approvers: { users: [U0APPROVE] }
inventory: { every: off }
targets:
  bench: { vendor: dolfin, organization: org-bench, baseUrl: "http://127.0.0.1:9", tokenEnv: BENCH_TOKEN }
`,
    env: { BENCH_TOKEN: "bench-token-value", ROLEGATE_AUDIT_TOKEN: TOKEN },
  });
  const rss = async () => {
    const text = await (await fetch(`${rolegate.origin}/metrics`)).text();
    return Number(/^rolegate_process_resident_memory_bytes (\S+)$/m.exec(text)?.[1] ?? 0) / 1024 / 1024;
  };
  try {
    const idleRssMb = await rss();
    const exports: AuditFigures["exports"] = [];
    for (const format of ["jsonl", "csv"]) {
      let peak = 0;
      const sampling = new AbortController();
      const sampler = (async () => {
        while (!sampling.signal.aborted) {
          peak = Math.max(peak, await rss());
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
      })();
      const started = performance.now();
      const response = await fetch(
        `${rolegate.origin}/audit/events?since=${new Date(Date.now() - 365 * DAY).toISOString()}&until=${new Date(Date.now() + DAY).toISOString()}&format=${format}`,
        { headers: { authorization: `Bearer ${TOKEN}` } },
      );
      if (response.status !== 200) throw new Error(`export answered ${response.status}: ${await response.text()}`);
      let bytes = 0;
      let lines = 0;
      for await (const chunk of response.body!) {
        bytes += (chunk as Uint8Array).length;
        for (const byte of chunk as Uint8Array) if (byte === 10) lines++;
      }
      const seconds = (performance.now() - started) / 1000;
      sampling.abort();
      await sampler;
      exports.push({ format, lines, megabytes: bytes / 1024 / 1024, seconds, peakRssMb: peak });
    }
    return { events, seedSeconds, idleRssMb, exports };
  } finally {
    await rolegate.stop();
    await slack.stop();
    await database.drop();
  }
}
