import { type LoadRequest, type LoadResult, runLoad } from './http-load.js';
import { median } from './stats.js';

export const CONNECTIONS = 50;
export const WARMUP_SECONDS = Number(process.env.WRIT_BENCH_WARMUP_SECONDS ?? 1.5);
export const PHASE_SECONDS = Number(process.env.WRIT_BENCH_PHASE_SECONDS ?? 6);
export const ROUNDS = Number(process.env.WRIT_BENCH_ROUNDS ?? 3);

/** One load phase; `prepare` builds fresh request bodies before each (warm-up or measured) run. */
export interface Phase {
  name: string;
  url: () => string;
  prepare(run: { seconds: number; expectedPerSecond: number }): Promise<LoadRequest[]>;
}

export interface PhaseSummary {
  name: string;
  okPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  statuses: Record<string, number>;
  rounds: LoadResult[];
}

/**
 * Runs every phase once per round, rounds interleaved (A B C, A B C, …) so drift on the machine
 * spreads over all rows; each run is a discarded warm-up then a measured phase. Medians per phase.
 * `between` runs once per round after the phases (e.g. the crypto ceiling).
 */
export async function runRounds(
  phases: readonly Phase[],
  between?: (round: number) => Promise<void>,
): Promise<Map<string, PhaseSummary>> {
  const results = new Map<string, LoadResult[]>(phases.map((p) => [p.name, []]));
  const expected = new Map<string, number>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const phase of phases) {
      const expectedPerSecond = expected.get(phase.name) ?? 2000;
      const warm = await phase.prepare({ seconds: WARMUP_SECONDS, expectedPerSecond });
      await runLoad({ url: phase.url(), requests: warm, seconds: WARMUP_SECONDS, connections: CONNECTIONS });
      const requests = await phase.prepare({ seconds: PHASE_SECONDS, expectedPerSecond });
      const result = await runLoad({
        url: phase.url(),
        requests,
        seconds: PHASE_SECONDS,
        connections: CONNECTIONS,
      });
      results.get(phase.name)?.push(result);
      expected.set(phase.name, Math.max(expectedPerSecond, result.total / result.seconds));
      process.stderr.write(
        `  round ${round + 1}/${ROUNDS} ${phase.name}: ${Math.round(result.okPerSecond)}/s p99 ${result.p99} ms` +
          `${result.non2xx ? ` non-2xx ${JSON.stringify(result.statuses)}` : ''}\n`,
      );
    }
    await between?.(round);
  }
  const out = new Map<string, PhaseSummary>();
  for (const [name, rounds] of results) {
    const statuses: Record<string, number> = {};
    for (const r of rounds)
      for (const [code, n] of Object.entries(r.statuses)) statuses[code] = (statuses[code] ?? 0) + n;
    out.set(name, {
      name,
      okPerSecond: median(rounds.map((r) => r.okPerSecond)),
      p50: median(rounds.map((r) => r.p50)),
      p99: median(rounds.map((r) => r.p99)),
      non2xx: rounds.reduce((n, r) => n + r.non2xx + r.errors, 0),
      statuses,
      rounds,
    });
  }
  return out;
}
