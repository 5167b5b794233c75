import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Bench } from './bench-result.js';
import { operatorFlood } from './operator-flood.js';
import { HAS_TASKSET } from './pinning.js';
import { machine, markdownTable, textTable, verdict } from './report.js';
import { expandSelection, runSuite, SCENARIOS, type ScenarioName } from './suite.js';

/**
 * `pnpm bench` runs the performance suite (docs/performance.md) against the built broker and
 * prints one table; `pnpm bench <name…>` runs the named scenarios (plus whatever their limits
 * are measured against). Results: bench-results/<name>.json and bench-results/summary.md.
 * operator-flood is separate (`pnpm bench operator-flood`). A missed goal prints FAIL rows and
 * still exits 0; a crash or harness error exits 1.
 * Knobs: WRIT_BENCH_SOAK_SECONDS (120), WRIT_BENCH_PHASE_SECONDS (6), WRIT_BENCH_WARMUP_SECONDS
 * (1.5), WRIT_BENCH_ROUNDS (3).
 */
const SEPARATE: Bench[] = [operatorFlood];
const DEADLINE_MS = 12 * 60_000;
const RESULTS_DIR = fileURLToPath(new URL('../../bench-results/', import.meta.url));

const isScenario = (name: string): name is ScenarioName => Object.hasOwn(SCENARIOS, name);

async function main() {
  const wanted = process.argv.slice(2).filter((a) => a !== '--');
  const known = [...Object.keys(SCENARIOS), ...SEPARATE.map((b) => b.name)];
  const unknown = wanted.filter((name) => !known.includes(name));
  if (unknown.length) throw new Error(`unknown bench ${unknown.join(', ')}; have ${known.join(', ')}`);
  await mkdir(RESULTS_DIR, { recursive: true });
  const meta = machine();

  const scenarios = wanted.length ? wanted.filter(isScenario) : (Object.keys(SCENARIOS) as ScenarioName[]);
  if (scenarios.length) {
    const selected = expandSelection(scenarios);
    process.stdout.write(
      `writ bench: ${[...selected].join(', ')}\n${meta.cpuModel} ×${meta.nproc}, node ${meta.node}, commit ${meta.commit}` +
        `${HAS_TASKSET ? '' : ' — taskset missing: NOTHING IS PINNED'}\n`,
    );
    const started = performance.now();
    const { rows, data } = await runSuite(selected);
    const seconds = Math.round((performance.now() - started) / 1000);
    process.stdout.write(`\n${textTable(rows)}\n\n(${seconds} s)\n`);
    for (const name of selected) {
      await writeFile(
        `${RESULTS_DIR}${name}.json`,
        `${JSON.stringify({ name, machine: meta, rows: rows.map((r) => ({ ...r, verdict: verdict(r) })), data: data[name] ?? null }, null, 2)}\n`,
      );
    }
    const summary = [
      `Measured ${meta.date.slice(0, 10)} at commit \`${meta.commit}\` on ${meta.cpuModel} ×${meta.nproc}, Node ${meta.node}` +
        `${HAS_TASKSET ? ', broker pinned to core 0, Redis and load generator to core 1' : ', unpinned'}; ${seconds} s.`,
      '',
      markdownTable(rows),
      '',
    ].join('\n');
    await writeFile(`${RESULTS_DIR}summary.md`, summary);
    process.stdout.write(`→ ${RESULTS_DIR}summary.md and <name>.json\n`);
  }

  for (const bench of SEPARATE.filter((b) => wanted.includes(b.name))) {
    process.stdout.write(`\n== ${bench.name}\n`);
    const result = await bench.run();
    console.table(result.rows);
    for (const target of result.targets) process.stdout.write(`  ${target}\n`);
    process.stdout.write(`  ${result.ok ? 'PASS' : 'FAIL'}\n`);
    const file = `${RESULTS_DIR}${bench.name}.json`;
    await writeFile(file, `${JSON.stringify({ ...result, machine: meta }, null, 2)}\n`);
    process.stdout.write(`  → ${file}\n`);
  }
}

const deadline = setTimeout(() => {
  process.stderr.write(`bench: still running after ${DEADLINE_MS / 1000} s; giving up\n`);
  process.exit(1);
}, DEADLINE_MS);
deadline.unref();

main().then(
  () => {
    // Missed goals are FAIL rows, tracked in docs; only a crash exits non-zero.
    process.exit(0);
  },
  (err) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
