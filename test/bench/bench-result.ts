/** What every benchmark returns: a verdict, a table for the terminal and raw data for JSON. */
export interface BenchResult {
  name: string;
  /** False when the benchmark's target was missed. */
  ok: boolean;
  targets: string[];
  rows: Array<Record<string, string | number>>;
  data: Record<string, unknown>;
}

export interface Bench {
  name: string;
  run(): Promise<BenchResult>;
}

/** Nearest-rank percentile of already sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/** Runs `task` for each of `count` items with at most `concurrency` in flight. */
export async function runBounded(count: number, concurrency: number, task: (i: number) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
}
