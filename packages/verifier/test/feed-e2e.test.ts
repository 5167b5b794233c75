import { createFaultProxy, type FaultProxy, type RedisServer, startRedis } from '@writ/test/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServedBroker, serveBroker, startForm } from '../../../apps/broker/test/support/testing.js';
import { SERVED_AUDIENCE, SERVED_ISSUER, taskIdOf } from '../../../apps/broker/test/support/vitest-kit.js';
import { createVerifier, type Verifier } from '../src/index.js';
import { codeOf, until } from './support.js';

// Over real ports, against the real broker on its own real redis-server: five verifiers follow
// the revocation feed; one of them through a TCP proxy that cuts its feed just before the
// revocation. The four refuse the revoked writ; the cut one refuses within its staleness bound
// and never accepts after it; healed, it resumes the feed and refuses it as revoked.

const HEARTBEAT_MS = 100;
const MAX_STALENESS_MS = 1_000;

describe('five verifiers follow the feed of a real broker', () => {
  let redis: RedisServer;
  let broker: ServedBroker;
  let proxy: FaultProxy;
  let verifiers: Verifier[];
  let revokeKey: string;

  beforeAll(async () => {
    redis = await startRedis({ args: ['--maxmemory-policy', 'noeviction'] });
    broker = await serveBroker({
      redisUrl: redis.url,
      config: (c) => ({
        ...c,
        revocations: { ...c.revocations, heartbeat_ms: HEARTBEAT_MS, poll_interval_ms: 50 },
      }),
    });
    const feedKey = await broker.operatorKey(['feed']);
    revokeKey = await broker.operatorKey(['revoke']);
    const port = Number(new URL(broker.url).port);
    proxy = await createFaultProxy({ target: { host: '127.0.0.1', port } });
    verifiers = [0, 1, 2, 3, 4].map((i) =>
      createVerifier({
        issuer: SERVED_ISSUER,
        audience: SERVED_AUDIENCE,
        brokerUrl: i === 4 ? `http://127.0.0.1:${proxy.port}` : broker.url,
        revocations: { mode: 'feed', operatorKey: feedKey, backoff: { initialMs: 20, maxMs: 200 } },
        maxStalenessMs: MAX_STALENESS_MS,
      }),
    );
    await Promise.all(verifiers.map((v) => v.ready()));
  });
  afterAll(async () => {
    for (const v of verifiers ?? []) v.close();
    await proxy?.close();
    await broker?.close();
    await redis?.stop();
  });

  async function newWrit(): Promise<string> {
    const svid = await broker.issuer.svid('spiffe://dev.local/agents/e2e');
    const res = await fetch(`${broker.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(startForm(svid)).toString(),
    });
    const body = (await res.json()) as { access_token: string };
    expect(res.status).toBe(200);
    return body.access_token;
  }

  it('a revoked task is refused by all five; the cut one by its staleness bound, never accepted after it', async () => {
    const writ = await newWrit();
    for (const v of verifiers) expect(await codeOf(v.verify(writ))).toBe('accepted');
    const cut = verifiers[4] as Verifier;
    const direct = verifiers.slice(0, 4);

    proxy.drop();
    const cutAt = Date.now();
    const res = await fetch(`${broker.url}/v1/revocations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${revokeKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ task: taskIdOf(writ) }),
    });
    expect(res.status).toBe(200);
    await until(async () => {
      const codes = await Promise.all(direct.map((v) => codeOf(v.verify(writ))));
      return codes.every((c) => c === 'ERR_WRIT_REVOKED');
    }, 2_000);

    // The cut verifier: accepted at most until its bound, refused from then on, never accepted again.
    const seen: Array<{ at: number; code: string }> = [];
    while (Date.now() - cutAt < MAX_STALENESS_MS + 500) {
      seen.push({ at: Date.now() - cutAt, code: await codeOf(cut.verify(writ)) });
      await new Promise((r) => setTimeout(r, 10));
    }
    const firstRefusal = seen.find((s) => s.code !== 'accepted');
    expect(firstRefusal?.code).toBe('ERR_WRIT_STALE_REVOCATIONS');
    expect(firstRefusal?.at).toBeLessThanOrEqual(MAX_STALENESS_MS + 50);
    expect(seen.filter((s) => s.at >= (firstRefusal?.at ?? 0) && s.code === 'accepted')).toEqual([]);

    // Healed, it resumes after its cursor (Last-Event-ID) and sees the revocation.
    proxy.heal();
    await until(async () => (await codeOf(cut.verify(writ))) === 'ERR_WRIT_REVOKED', 5_000);
    // A fresh writ is accepted by all five again.
    const fresh = await newWrit();
    await until(
      async () =>
        (await Promise.all(verifiers.map((v) => codeOf(v.verify(fresh))))).every((c) => c === 'accepted'),
      5_000,
    );
  });
});
