import { WRIT_TYP } from '@writ/claims';
import { type RedisServer, startRedis } from '@writ/test/harness';
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { KeyRing } from '../src/signing/index.js';
import { AGENT, authorize, createKeyedBroker, eventsSince, introspect } from './authorize-fixtures.js';
import { createTestOperatorKey, startWrit } from './support/fixtures.js';
import { createTestBroker, type TestBroker } from './support/test-broker.js';
import { decodePayload, forgeToken } from './support/tokens.js';

const PLAN = { tools: ['jira.read'], budget: { total: 10 } };

/** Flips one character of the payload segment so the signature no longer matches. */
function tamper(writ: string): string {
  const [h, p, s] = writ.split('.') as [string, string, string];
  const i = Math.floor(p.length / 2);
  return `${h}.${p.slice(0, i)}${p[i] === 'A' ? 'B' : 'A'}${p.slice(i + 1)}.${s}`;
}

describe.each(['redis', 'memory'] as const)('POST /v1/authorize — bad writs (%s)', (store) => {
  let t: TestBroker;
  let keyRing: KeyRing;
  let cleanup: () => Promise<void>;
  let writ: string;
  beforeEach(async () => {
    ({ t, keyRing, cleanup } = await createKeyedBroker({ store }));
    writ = await startWrit(t, { plan: PLAN, sub: AGENT });
  });
  afterEach(async () => cleanup());

  async function expectInvalidToken(token: string, reason: string) {
    const before = (await t.auditEvents()).length;
    const res = await authorize(t, { writ: token, tool: 'jira.read' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(await res.json()).toEqual({
      error: 'invalid_token',
      error_description: 'the writ is not valid or no longer live',
    });
    const events = await eventsSince(t, before);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'action.denied', decision: 'deny', reasons: [reason] });
    expect(await t.store.getTaskUsage(String((decodePayload(writ).task as { id: string }).id))).toEqual({
      total: 0,
      per_tool: {},
    });
  }

  it('rejects an expired writ', async () => {
    t.clock.advance((decodePayload(writ).exp as number) * 1000 - t.clock.nowMs() + 10_000);
    await expectInvalidToken(writ, 'writ:expired');
  });

  it('rejects a tampered writ', async () => {
    await expectInvalidToken(tamper(writ), 'writ:bad_signature');
  });

  it('rejects alg none and garbage', async () => {
    await expectInvalidToken(
      forgeToken({ alg: 'none', typ: WRIT_TYP }, decodePayload(writ)),
      'writ:alg_not_allowed',
    );
    await expectInvalidToken('not-a-writ', 'writ:malformed');
  });

  it('rejects a workload identity token presented as a writ', async () => {
    await expectInvalidToken(await t.issuer.svid(AGENT), 'writ:bad_signature');
  });

  it('rejects a token signed by the broker key with the wrong typ (RFC 9068 §4)', async () => {
    await expectInvalidToken(await keyRing.sign(decodePayload(writ), 'JWT'), 'writ:bad_claims');
  });

  it('rejects a well-signed writ the broker never issued (allow-list)', async () => {
    const forged = await keyRing.sign({ ...decodePayload(writ), jti: 'A'.repeat(22) }, WRIT_TYP);
    await expectInvalidToken(forged, 'writ_unknown');
  });
});

describe('POST /v1/authorize and /oauth2/introspect — Redis outage', () => {
  let redis: RedisServer;
  beforeEach(async () => {
    redis = await startRedis();
  });
  afterEach(async () => redis.stop());

  it('a flushed Redis answers 503, never allow or active', async () => {
    const t = await createTestBroker({ store: 'redis', redisUrl: redis.url });
    try {
      const writ = await startWrit(t, { plan: PLAN, sub: AGENT });
      const key = (await createTestOperatorKey(t, ['introspect'])).key;
      const warm = await introspect(t, key, writ);
      expect((await warm.json()) as { active: boolean }).toMatchObject({ active: true });
      const admin = new Redis(redis.url);
      await admin.flushall();
      admin.disconnect();

      const res = await authorize(t, { writ, tool: 'jira.read' });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(await res.json()).toMatchObject({ error: 'temporarily_unavailable' });
      const seen = await introspect(t, key, writ);
      expect(seen.status).toBe(503);
      expect(await seen.json()).toMatchObject({ error: 'temporarily_unavailable' });
      expect(t.logs.join('')).toContain('"store_unavailable"');
    } finally {
      await t.close();
    }
  });

  it('a Redis that is down answers 503', async () => {
    const t = await createTestBroker({ store: 'redis', redisUrl: redis.url, commandTimeoutMs: 200 });
    try {
      const writ = await startWrit(t, { plan: PLAN, sub: AGENT });
      await redis.kill();
      const res = await authorize(t, { writ, tool: 'jira.read' });
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ error: 'temporarily_unavailable' });
      await redis.restart();
    } finally {
      await t.close();
    }
  });
});
