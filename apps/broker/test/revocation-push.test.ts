import { startRedis, waitFor } from '@writ/test/harness';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { createStreamBroker, readSse } from './revocation-sse.js';

type StreamBroker = Awaited<ReturnType<typeof createStreamBroker>>;

const FOLLOWERS = 10;
const REVOCATIONS = 50;

/** Calls of the feed's commands since the last CONFIG RESETSTAT (Lua-issued ones included). */
async function feedCommandCalls(admin: Redis): Promise<Record<string, number>> {
  const info = await admin.info('commandstats');
  const calls: Record<string, number> = {};
  for (const match of info.matchAll(/^cmdstat_(\w+(?:\|\w+)?):calls=(\d+)/gm)) {
    const [, name = '', count = '0'] = match;
    if (/^(xread|xrange|xrevrange|evalsha|eval)$/.test(name)) calls[name] = Number(count);
  }
  return calls;
}

describe('revocation feed push (own redis-server, default poll_interval_ms)', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  let b: StreamBroker | undefined;
  afterEach(async () => {
    await b?.close();
    b = undefined;
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });

  const start = async () => {
    const server = await startRedis();
    cleanups.push(() => server.stop());
    const admin = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await admin.connect();
    cleanups.push(async () => admin.disconnect());
    b = await createStreamBroker({ store: 'redis', redisUrl: server.url, pollIntervalMs: 500 });
    return { admin, broker: b };
  };

  it(`delivers each of ${REVOCATIONS} revocations to ${FOLLOWERS} followers in well under the interval`, async () => {
    const { broker } = await start();
    const [reader, revoker] = [await broker.key(['read']), await broker.key(['revoke'])];
    const followers = await Promise.all(
      Array.from({ length: FOLLOWERS }, async () => readSse(await broker.stream(reader))),
    );
    for (const sse of followers) expect(await sse.next()).toEqual({ comment: 'connected' });
    await waitFor(() => broker.feed.subscriberCount() === FOLLOWERS);
    // Warm-up, not measured: the first request verifies the operator key (argon2, then cached).
    const warmUp = await broker.revokeOne(revoker);
    for (const sse of followers) expect((await sse.nextEvent())?.id).toBe(warmUp);
    // Let the shared follower reach its blocking wait again.
    await new Promise((resolve) => setTimeout(resolve, 100));

    const latencies: number[] = [];
    for (let n = 0; n < REVOCATIONS; n++) {
      const sent = performance.now();
      const revoked = broker.revokeOne(revoker);
      const received = followers.map(async (sse) => {
        const event = await sse.nextEvent(2000);
        latencies.push(performance.now() - sent);
        return event?.id;
      });
      const id = await revoked;
      expect(await Promise.all(received)).toEqual(Array(FOLLOWERS).fill(id));
    }
    latencies.sort((x, y) => x - y);
    const p = (q: number) =>
      latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)] ?? 0;
    console.log(
      `revocation push: ${latencies.length} deliveries, p50 ${p(0.5).toFixed(1)} ms, ` +
        `p99 ${p(0.99).toFixed(1)} ms, max ${p(1).toFixed(1)} ms`,
    );
    // The target is 50 ms; the bound leaves room for a loaded CI machine (polling gave ~515 ms).
    // Polling would be ~500 ms (the interval); pushed delivery is ~20 ms on a quiet machine. The
    // bound leaves room for a loaded CI machine and still fails a poller.
    expect(p(0.99)).toBeLessThan(300);
    for (const sse of followers) await sse.cancel();
  });

  it('sends no feed traffic and holds no blocking connection without followers', async () => {
    const { admin, broker } = await start();
    const reader = await broker.key(['read']);
    const clients = async () =>
      String(await admin.call('CLIENT', 'LIST'))
        .trim()
        .split('\n').length;
    const baseline = await clients();

    // A follower comes and goes: its blocking connection must go with it.
    const sse = readSse(await broker.stream(reader));
    expect(await sse.next()).toEqual({ comment: 'connected' });
    await waitFor(async () => (await clients()) === baseline + 1, { description: 'the blocking connection' });
    await sse.cancel();
    await waitFor(() => broker.feed.subscriberCount() === 0);
    await waitFor(async () => (await clients()) === baseline, { description: 'the connection closed' });

    await admin.config('RESETSTAT');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await feedCommandCalls(admin)).toEqual({});
  });
});
