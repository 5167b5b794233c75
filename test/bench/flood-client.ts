import { generateOperatorKey } from '../../apps/broker/src/index.js';
import { runBounded } from './bench-result.js';

/**
 * Child process for operator-flood: the attacker, on its own event loop so its work does not
 * delay the legitimate client's measurements. On `go`, sends WRIT_BENCH_FLOOD_COUNT requests
 * with fresh well-formed but unknown operator keys (the worst case: each would need argon2),
 * WRIT_BENCH_FLOOD_CONCURRENCY in flight, then reports the status counts and duration.
 */
async function main() {
  const url = process.env.WRIT_BENCH_TARGET_URL;
  const count = Number(process.env.WRIT_BENCH_FLOOD_COUNT);
  const concurrency = Number(process.env.WRIT_BENCH_FLOOD_CONCURRENCY);
  if (!url || !process.send || !(count > 0) || !(concurrency > 0)) {
    throw new Error('flood-client runs as an IPC child of operator-flood');
  }
  setTimeout(() => process.exit(1), 4 * 60_000).unref();
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message) => {
    if (message === 'stop') process.exit(0);
    if (message !== 'go') return;
    const statuses: Record<number, number> = {};
    const started = performance.now();
    void runBounded(count, concurrency, async () => {
      // A refused or reset connection counts as status 0.
      const status = await fetch(`${url}/v1/operator-keys`, {
        headers: { authorization: `Bearer ${generateOperatorKey().key}` },
      }).then(
        async (res) => {
          await res.arrayBuffer();
          return res.status;
        },
        () => 0,
      );
      statuses[status] = (statuses[status] ?? 0) + 1;
    }).then(() => process.send?.({ statuses, ms: performance.now() - started }));
  });
  process.send({ ready: true });
}

main().catch((err) => {
  process.stderr.write(`flood-client: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
