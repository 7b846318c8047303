// Throughput and latency percentiles of an operation run `count` times by `concurrency` callers.
import { performance } from "node:perf_hooks";

export interface Timing {
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
}

export async function timed(count: number, concurrency: number, op: (i: number) => Promise<unknown>): Promise<Timing> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const t = performance.now();
        await op(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return {
    perSecond: count / elapsed,
    p50: percentile(latencies, 0.5),
    p95: percentile(latencies, 0.95),
    p99: percentile(latencies, 0.99),
  };
}

/** The `q` quantile of `values` (nearest rank), e.g. 0.95 for p95. */
export function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

export const row = (name: string, r: Timing) =>
  `| ${name} | ${r.perSecond.toFixed(0)}/s | ${r.p50.toFixed(1)} ms | ${r.p95.toFixed(1)} ms | ${r.p99.toFixed(1)} ms |`;
