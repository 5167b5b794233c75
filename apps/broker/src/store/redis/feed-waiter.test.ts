import { createFaultProxy, waitFor } from '@writ/test/harness';
import { describe, expect, it } from 'vitest';
import { useRedisServers } from '../../../test/store/support/redis-servers.js';
import { buildAudit } from '../../../test/store/support/test-data.js';
import { StoreUnavailableError } from '../shared/errors.js';

const { start, connectAdmin, openStore, track } = useRedisServers();

describe('Redis store: waitForRevocations (XREAD BLOCK on its own connection)', () => {
  it('blocks on a dedicated connection, held only while followed, and wakes on a revocation', async () => {
    const server = await start();
    const admin = await connectAdmin(server.url);
    const { store, clock } = openStore(server.url);
    await store.init();
    const clients = async () =>
      String(await admin.call('CLIENT', 'LIST'))
        .trim()
        .split('\n').length;
    const baseline = await clients();
    const following = new AbortController();
    const waiting = store.waitForRevocations('0-0', 5000, following.signal);
    await waitFor(async () => (await clients()) === baseline + 1, { description: 'a blocking connection' });
    // The main client still answers while the other one is blocked.
    expect(await store.getTask('no-such-task')).toBeNull();
    const started = performance.now();
    await store.revoke({ target: { kind: 'all' }, reason: 'x', audit: buildAudit(clock) });
    expect(await waiting).toBe(true);
    expect(performance.now() - started).toBeLessThan(500);
    // Still followed: kept for the next wait. Aborted: closed.
    expect(await clients()).toBe(baseline + 1);
    following.abort();
    await waitFor(async () => (await clients()) === baseline, { description: 'the connection closed' });
  });

  it('fails with StoreUnavailableError when Redis does not answer within the block time plus the command timeout', async () => {
    const server = await start();
    const proxy = await createFaultProxy({ target: { host: server.host, port: server.port } });
    track(() => proxy.close());
    const { store } = openStore(proxy.redisUrl, { commandTimeoutMs: 200 });
    await store.init();
    const following = new AbortController();
    track(async () => following.abort());
    // Connect first, so the blackhole catches a blocked read rather than the handshake.
    expect(await store.waitForRevocations('0-0', 100, following.signal)).toBe(false);
    proxy.blackhole();
    const started = performance.now();
    const error = await store.waitForRevocations('0-0', 300, following.signal).catch((e: unknown) => e);
    const ms = performance.now() - started;
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toMatch(/no reply in time/);
    expect(ms).toBeGreaterThanOrEqual(450);
    expect(ms).toBeLessThan(1500);
    proxy.heal();
  });

  it('fails with StoreUnavailableError when Redis dies during the wait', async () => {
    const server = await start();
    const { store } = openStore(server.url);
    await store.init();
    const waiting = store.waitForRevocations('0-0', 10_000).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await server.kill();
    expect(await waiting).toBeInstanceOf(StoreUnavailableError);
  });
});
