// npm run bench -- --history: `/role history` against a big table. Seeds HISTORY_ROWS requests
// (1,000,000 by default) with one member each straight in SQL — spread over a year, 20 targets,
// 2,000 requesters, every status — then times the repository's history query for each filter
// as a person and as an approver would ask, and reports p50 / p95 per filter.
import { performance } from "node:perf_hooks";
import { parseConfig } from "../src/config/file.js";
import type { HistoryQuery } from "../src/requests/history.js";
import { StoredHistory } from "../src/requests/store/request-history.js";
import type { Viewer } from "../src/requests/visibility.js";
import { openTestDatabase } from "../test/support/database.js";

const TARGETS = Array.from({ length: 20 }, (_, i) => `target-${i}`);

export interface HistoryFigures {
  rows: number;
  seedSeconds: number;
  lines: { name: string; p50: number; p95: number }[];
}

export async function benchHistory(rows: number, runs: number): Promise<HistoryFigures> {
  const database = await openTestDatabase({ poolSize: 4 });
  try {
    const seeding = performance.now();
    await database.prisma.$executeRawUnsafe(`
      INSERT INTO role_requests (id, kind, target, requested_role_id, requested_role_name, reason, requester_id, status,
                                 required_approvals, expires_at, created_at, updated_at, decided_at)
      SELECT 'H' || lpad(to_hex(g), 7, '0'), 'SET_ROLE', 'target-' || (g % 20), 'admin', 'Admin', 'bench', 'U' || lpad((g % 2000)::text, 8, '0'),
             (ARRAY['PENDING','APPROVED','APPLIED','FAILED','DENIED','CANCELLED','EXPIRED','APPLIED','APPLIED','APPLIED']::"RequestStatus"[])[1 + g % 10],
             1, now() + interval '1 day', now() - (g * interval '30 seconds'), now() - (g * interval '30 seconds'), now() - (g * interval '30 seconds')
      FROM generate_series(1, ${rows}) AS g`);
    await database.prisma.$executeRawUnsafe(`
      INSERT INTO request_members (request_id, position, ref, email, vendor_user_id, role_when_filed)
      SELECT 'H' || lpad(to_hex(g), 7, '0'), 0, 'p' || (g % 50000) || '@example.com', 'p' || (g % 50000) || '@example.com', 'usr_' || (g % 50000), 'Member'
      FROM generate_series(1, ${rows}) AS g`);
    await database.prisma.$executeRawUnsafe("ANALYZE role_requests");
    await database.prisma.$executeRawUnsafe("ANALYZE request_members");
    const seedSeconds = (performance.now() - seeding) / 1000;

    const history = new StoredHistory(database.prisma);
    const config = parseConfig(
      `approvalChannel: C0BENCH01\napprovers: { users: [U0APPROVE] }\ntargets:\n${TARGETS.map((t) => `  ${t}: { vendor: dolfin, organization: ${t}, tokenEnv: T }`).join("\n")}\n`,
      "bench",
      { T: "token-value-1" },
    );
    const allTargets = [...config.targets.keys()];
    const requester: Viewer = { userId: "U00000042", approves: new Set() };
    const approver: Viewer = { userId: "U0APPROVE", approves: new Set(TARGETS.slice(0, 5)) };
    const cases: { name: string; query: HistoryQuery; viewer: Viewer }[] = [
      { name: "mine (a requester)", query: { kind: "requester", userId: requester.userId }, viewer: requester },
      { name: "all (an approver of 5 of 20 targets)", query: { kind: "all" }, viewer: approver },
      { name: "pending (an approver)", query: { kind: "pending" }, viewer: approver },
      { name: "<target> (an approver)", query: { kind: "target", target: "target-3" }, viewer: approver },
      {
        name: "<member> by email (an approver)",
        query: { kind: "member", email: "p1240@example.com" },
        viewer: approver,
      },
    ];
    const lines = [];
    for (const c of cases) {
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        const found = await history.list(c.query, 10, { viewer: c.viewer, allTargets });
        times.push(performance.now() - t);
        if (i === 0 && found.length === 0)
          throw new Error(`${c.name} found nothing: the bench would time an empty answer`);
      }
      times.sort((a, b) => a - b);
      lines.push({ name: c.name, p50: times[Math.floor(runs * 0.5)]!, p95: times[Math.floor(runs * 0.95)]! });
    }
    return { rows, seedSeconds, lines };
  } finally {
    await database.drop();
  }
}
