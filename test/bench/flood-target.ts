import { verifySecret } from '../../apps/broker/src/index.js';
import { serveBroker } from '../../apps/broker/test/support/testing.js';

/**
 * Child process for operator-flood: the broker on its own event loop (as in production, where
 * attackers' and clients' CPU is not the broker's). Talks to the bench over Node IPC:
 * sends `{ url, svids }` when listening, answers `stats` with the argon2 count, exits on `stop`.
 */
const SELF_DESTRUCT_MS = 4 * 60_000;

async function main() {
  const redisUrl = process.env.WRIT_BENCH_REDIS_URL;
  const svidCount = Number(process.env.WRIT_BENCH_SVIDS ?? '0');
  if (!redisUrl || !process.send) throw new Error('flood-target runs as an IPC child of operator-flood');
  let argon2Runs = 0;
  const broker = await serveBroker({
    redisUrl,
    ...(process.env.WRIT_BENCH_DEBUG ? { logLevel: 'info' as const } : {}),
    operatorAuth: {
      ...(process.env.WRIT_BENCH_ARGON2_CONCURRENCY
        ? { maxConcurrentVerifications: Number(process.env.WRIT_BENCH_ARGON2_CONCURRENCY) }
        : {}),
      verifyHash: (hash, secret) => {
        argon2Runs++;
        return verifySecret(hash, secret);
      },
    },
  });
  const svids: string[] = [];
  for (let i = 0; i < svidCount; i++) svids.push(await broker.issuer.svid('spiffe://dev.local/agents/bench'));

  const stop = async (code: number) => {
    await broker.close();
    process.exit(code);
  };
  setTimeout(() => void stop(1), SELF_DESTRUCT_MS).unref();
  process.on('disconnect', () => void stop(0));
  process.on('message', (message) => {
    if (message === 'stats') process.send?.({ argon2Runs, warnings: broker.logs.length });
    if (message === 'stop') {
      if (process.env.WRIT_BENCH_DEBUG) {
        for (const line of broker.logs) if (line.includes('/oauth2/token')) process.stderr.write(line);
      }
      void stop(0);
    }
  });
  process.send({ url: broker.url, svids });
}

main().catch((err) => {
  process.stderr.write(`flood-target: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
