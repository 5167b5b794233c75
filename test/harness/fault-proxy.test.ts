import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFaultProxy, type FaultProxy } from './fault-proxy.js';
import { type RedisServer, startRedis } from './redis-server.js';
import { waitFor } from './wait-for.js';

let server: RedisServer;
let proxy: FaultProxy;
const clients: Redis[] = [];

beforeAll(async () => {
  server = await startRedis();
});

afterAll(async () => {
  await server.stop();
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.disconnect();
  await proxy.close();
});

async function openProxy(): Promise<FaultProxy> {
  proxy = await createFaultProxy({ target: { host: server.host, port: server.port } });
  return proxy;
}

/** Fails fast: no offline queue, no retries, no reconnects, 300 ms per command. */
async function connectClient(
  overrides: { commandTimeout?: number } = {},
): Promise<{ client: Redis; errors: Error[] }> {
  const errors: Error[] = [];
  const client = new Redis(proxy.redisUrl, {
    lazyConnect: true,
    enableOfflineQueue: false,
    commandTimeout: 300,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    ...overrides,
  });
  clients.push(client);
  client.on('error', (error: Error) => errors.push(error));
  await client.connect();
  return { client, errors };
}

function connectRaw(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

async function timed<T>(run: () => Promise<T>): Promise<{ ms: number; outcome: PromiseSettledResult<T> }> {
  const started = performance.now();
  const [outcome] = await Promise.allSettled([run()]);
  if (!outcome) throw new Error('no outcome');
  return { ms: performance.now() - started, outcome };
}

describe('createFaultProxy', () => {
  it('forwards Redis traffic unchanged on a port that is neither the server nor 6379', async () => {
    await openProxy();
    expect(proxy.port).not.toBe(server.port);
    expect(proxy.port).not.toBe(6379);
    expect(proxy.redisUrl).toBe(`redis://127.0.0.1:${proxy.port}`);
    const { client } = await connectClient();
    expect(await client.ping()).toBe('PONG');
    expect(await client.set('through-proxy', 'v')).toBe('OK');
    expect(await client.get('through-proxy')).toBe('v');
  });

  it('adds latency to each direction and keeps bytes in order when latency drops mid-stream', async () => {
    await openProxy();
    const { client } = await connectClient({ commandTimeout: 3000 });
    proxy.setLatency(200);
    const slow = await timed(() => client.ping());
    expect(slow.outcome).toEqual({ status: 'fulfilled', value: 'PONG' });
    expect(slow.ms).toBeGreaterThanOrEqual(390);
    expect(slow.ms).toBeLessThan(2000);

    await client.del('order');
    const first = [client.incr('order'), client.incr('order')];
    await new Promise((resolve) => setTimeout(resolve, 30));
    proxy.setLatency(0);
    const second = [client.incr('order'), client.incr('order')];
    expect(await Promise.all([...first, ...second])).toEqual([1, 2, 3, 4]);

    const fast = await timed(() => client.ping());
    expect(fast.ms).toBeLessThan(150);
  });

  it('blackhole() makes commands time out, and heal() delivers the held bytes', async () => {
    await openProxy();
    const { client } = await connectClient();
    expect(await client.set('held', '0')).toBe('OK');
    proxy.blackhole();
    const hung = await timed(() => client.incr('held'));
    expect(hung.outcome.status).toBe('rejected');
    expect(String((hung.outcome as PromiseRejectedResult).reason)).toMatch(/Command timed out/);
    expect(hung.ms).toBeGreaterThanOrEqual(250);
    expect(hung.ms).toBeLessThan(2000);
    expect(client.status).toBe('ready');

    proxy.heal();
    expect(await client.ping()).toBe('PONG');
    // Held, not lost: the INCR sent during the blackhole reached Redis after heal().
    expect(await client.get('held')).toBe('1');
  });

  it('reset() sends an RST that the client sees as ECONNRESET; new connections still work', async () => {
    await openProxy();
    const { client, errors } = await connectClient();
    expect(await client.ping()).toBe('PONG');
    proxy.reset();
    await waitFor(() => client.status === 'end', { timeoutMs: 2000 });
    expect(errors.map((error) => (error as NodeJS.ErrnoException).code)).toContain('ECONNRESET');
    await expect(client.ping()).rejects.toThrow(/Connection is closed/);
    const { client: fresh } = await connectClient();
    expect(await fresh.ping()).toBe('PONG');
  });

  it('drop() closes open connections and refuses new ones until heal()', async () => {
    await openProxy();
    const { client } = await connectClient();
    expect(await client.ping()).toBe('PONG');
    proxy.drop();
    await waitFor(() => client.status === 'end', { timeoutMs: 2000 });
    await expect(client.ping()).rejects.toThrow(/Connection is closed/);
    await expect(connectRaw(proxy.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    const refused = new Redis(proxy.redisUrl, { lazyConnect: true, retryStrategy: () => null });
    clients.push(refused);
    const refusals: NodeJS.ErrnoException[] = [];
    refused.on('error', (error: NodeJS.ErrnoException) => refusals.push(error));
    await expect(refused.connect()).rejects.toThrow(/Connection is closed/);
    expect(refusals.map((error) => error.code)).toEqual(['ECONNREFUSED']);

    proxy.heal();
    await connectRaw(proxy.port);
    const { client: fresh } = await connectClient();
    expect(await fresh.ping()).toBe('PONG');
    expect(proxy.listenError).toBeUndefined();
  });

  it('close() releases the port', async () => {
    await openProxy();
    await connectClient();
    await proxy.close();
    await expect(connectRaw(proxy.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
