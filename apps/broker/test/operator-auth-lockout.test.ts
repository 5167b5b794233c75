import { afterEach, describe, expect, it } from 'vitest';
import type { BrokerConfig } from '../src/config.js';
import { formatOperatorKey, generateOperatorKey } from '../src/operators/operator-key.js';
import { createTestOperatorKey } from './support/fixtures.js';
import { createTestBroker, type TestBroker } from './support/test-broker.js';

const LIMIT = 20;

/**
 * Anonymous and bad-key traffic must never lock valid operator keys (downstream introspection
 * callers, revocation followers) out: only well-formed key attempts count, a recently verified
 * key passes any block, limits are per address (IPv6 per /64) and per key id.
 */
describe.each(['redis', 'memory'] as const)('operator auth cannot be locked out (%s)', (store) => {
  let t: TestBroker;
  afterEach(async () => t?.close());

  async function start(trustedProxies: string[] = []) {
    t = await createTestBroker({
      store,
      config: (c: BrokerConfig): BrokerConfig => ({ ...c, trusted_proxies: trustedProxies }),
      operatorAuth: { failureLimit: { limit: LIMIT, windowSeconds: 60 } },
    });
    return t;
  }
  const list = (authorization?: string) =>
    t.app.request('/v1/operator-keys', authorization === undefined ? {} : { headers: { authorization } });
  const listFrom = (url: string, client: string, authorization?: string) =>
    fetch(`${url}/v1/operator-keys`, {
      headers: { 'x-forwarded-for': client, ...(authorization ? { authorization } : {}) },
    });
  const badKey = () => `Bearer ${generateOperatorKey().key}`;

  it('credential-less requests are refused with 401 and never block the address', async () => {
    await start();
    const anonymous = [undefined, 'Basic abc', 'Bearer eyJhbGciOi.x.y', 'Bearer writ_short'];
    for (let i = 0; i < 100; i++) {
      expect((await list(anonymous[i % anonymous.length])).status).toBe(401);
    }
    const { key } = await createTestOperatorKey(t, ['admin']);
    expect((await list(`Bearer ${key}`)).status).toBe(200);
  });

  it('a recently verified key is not refused by a block on its address, in the app or before it', async () => {
    await start(['127.0.0.1']);
    const url = await t.listen();
    const { key } = await createTestOperatorKey(t, ['admin']);
    expect((await listFrom(url, '203.0.113.7', `Bearer ${key}`)).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 5; i++) statuses.push((await listFrom(url, '203.0.113.7', badKey())).status);
    expect(statuses).toEqual([...Array(LIMIT).fill(401), ...Array(5).fill(429)]);
    // Both through the early refusal (raw server) and in the app.
    expect((await listFrom(url, '203.0.113.7', `Bearer ${key}`)).status).toBe(200);
    expect((await list(`Bearer ${key}`)).status).toBe(200);
    // A key that did not verify recently is still refused from the blocked address...
    const other = await createTestOperatorKey(t, ['admin']);
    expect((await listFrom(url, '203.0.113.7', `Bearer ${other.key}`)).status).toBe(429);
    // ...but not from another client behind the same load balancer.
    expect((await listFrom(url, '203.0.113.8', `Bearer ${other.key}`)).status).toBe(200);
  });

  it('limits failures per key id across addresses; the key in use keeps working', async () => {
    await start(['127.0.0.1']);
    const url = await t.listen();
    const target = await createTestOperatorKey(t, ['admin']);
    const idle = await createTestOperatorKey(t, ['read']);
    expect((await listFrom(url, '198.51.100.1', `Bearer ${target.key}`)).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 5; i++) {
      const wrong = formatOperatorKey(idle.id, generateOperatorKey().secret);
      statuses.push((await listFrom(url, `192.0.2.${i + 1}`, `Bearer ${wrong}`)).status);
    }
    expect(statuses).toEqual([...Array(LIMIT).fill(401), ...Array(5).fill(429)]);
    // The guessed key id is blocked everywhere until the window ends (it was not in use)...
    expect((await listFrom(url, '198.51.100.2', `Bearer ${idle.key}`)).status).toBe(429);
    // ...while other keys, and other addresses, are unaffected.
    expect((await listFrom(url, '192.0.2.1', `Bearer ${target.key}`)).status).toBe(200);
    t.clock.advance(61_000);
    expect((await listFrom(url, '198.51.100.2', `Bearer ${idle.key}`)).status).toBe(403);
  });

  it('counts IPv6 clients per /64', async () => {
    await start(['127.0.0.1']);
    const url = await t.listen();
    for (let i = 0; i < LIMIT; i++) {
      expect((await listFrom(url, `2001:db8:1:2::${(i + 1).toString(16)}`, badKey())).status).toBe(401);
    }
    expect((await listFrom(url, '2001:db8:1:2:ffff::1', badKey())).status).toBe(429);
    expect((await listFrom(url, '2001:db8:1:3::1', badKey())).status).toBe(401);
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    await start();
    const url = await t.listen();
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 1; i++)
      statuses.push((await listFrom(url, `192.0.2.${i + 1}`, badKey())).status);
    expect(statuses.at(-1)).toBe(429);
  });
});
