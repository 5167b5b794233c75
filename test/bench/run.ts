import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Bench } from './bench-result.js';
import { operatorFlood } from './operator-flood.js';

/**
 * Every benchmark, in order. `pnpm bench [name…]` runs all or the named ones; results go to
 * bench-results/<name>.json. Diagnostics: WRIT_BENCH_DEBUG=1 (per-request timings),
 * WRIT_BENCH_ARGON2_CONCURRENCY=n (operator-flood's verification cap; default 2).
 */
const BENCHES: Bench[] = [operatorFlood];
/** A benchmark that hangs must not hold the terminal or CI forever. */
const DEADLINE_MS = 5 * 60_000;

const RESULTS_DIR = fileURLToPath(new URL('../../bench-results/', import.meta.url));

async function main() {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((name) => !BENCHES.some((b) => b.name === name));
  if (unknown.length)
    throw new Error(`unknown bench ${unknown.join(', ')}; have ${BENCHES.map((b) => b.name)}`);
  const selected = wanted.length ? BENCHES.filter((b) => wanted.includes(b.name)) : BENCHES;
  await mkdir(RESULTS_DIR, { recursive: true });
  let failed = 0;
  for (const bench of selected) {
    process.stdout.write(`\n== ${bench.name}\n`);
    const result = await bench.run();
    console.table(result.rows);
    for (const target of result.targets) process.stdout.write(`  ${target}\n`);
    process.stdout.write(`  ${result.ok ? 'PASS' : 'FAIL'}\n`);
    const file = `${RESULTS_DIR}${bench.name}.json`;
    await writeFile(
      file,
      `${JSON.stringify({ ...result, node: process.version, time: new Date().toISOString() }, null, 2)}\n`,
    );
    process.stdout.write(`  → ${file}\n`);
    if (!result.ok) failed++;
  }
  return failed;
}

const deadline = setTimeout(() => {
  process.stderr.write(`bench: still running after ${DEADLINE_MS / 1000} s; giving up\n`);
  process.exit(1);
}, DEADLINE_MS);
deadline.unref();

main().then(
  (failed) => {
    process.exitCode = failed ? 1 : 0;
  },
  (err) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
