import { type RedisServer, startRedis } from '@writ/test/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { buildBroker } from '../src/deps.js';
import { NOT_CONFIRMED } from '../src/revocation/confirm-revocation.js';
import { silentLogger } from '../src/shared/logger.js';
import { createRedisStore } from '../src/store/index.js';
import { errorOf, postRevocation } from './revocation-helpers.js';
import { startWrit, taskIdOf } from './support/fixtures.js';
import { createTestBroker, formRequest } from './support/test-broker.js';

// The dev admin key is checked without the store, so these requests reach the revocation itself.
const DEV_KEY = 'dev-admin-key-for-revocation-tests-0123456789';

describe('revocation when Redis cannot confirm it', () => {
  let redis: RedisServer;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => redis.stop());

  it('answers 503 "not confirmed" on every revocation endpoint when Redis is down', async () => {
    const t = await createTestBroker({
      store: 'redis',
      redisUrl: redis.url,
      commandTimeoutMs: 200,
      config: (c) => ({ ...c, devAdminKey: DEV_KEY }),
    });
    try {
      const writ = await startWrit(t);
      const taskId = taskIdOf(writ);
      await redis.kill('SIGKILL');

      for (const body of [{ task: taskId }, { jti: 'AAAAAAAAAAAAAAAAAAAAAA' }, { all: true }]) {
        const res = await postRevocation(t.app, DEV_KEY, body);
        expect(res.headers.get('retry-after')).toBe('1');
        expect(await errorOf(res)).toEqual({
          status: 503,
          error: 'temporarily_unavailable',
          description: NOT_CONFIRMED,
        });
      }
      const complete = await t.app.request(`/v1/tasks/${taskId}/complete`, {
        method: 'POST',
        headers: { authorization: `Bearer ${writ}` },
      });
      expect(await errorOf(complete)).toMatchObject({ status: 503, error: 'temporarily_unavailable' });
      const revoke = await t.app.request('/oauth2/revoke', formRequest({ token: writ }));
      expect(await errorOf(revoke)).toMatchObject({ status: 503, error: 'temporarily_unavailable' });
      const snapshot = await t.app.request('/v1/revocations', {
        headers: { authorization: `Bearer ${DEV_KEY}` },
      });
      expect(await errorOf(snapshot)).toMatchObject({ status: 503, error: 'temporarily_unavailable' });
    } finally {
      await t.close();
      await redis.restart();
    }
  });

  it('answers 503 when WAIT gets fewer replica acknowledgements than redis.wait_replicas', async () => {
    const t = await createTestBroker({ store: 'redis', redisUrl: redis.url });
    const store = createRedisStore({
      url: redis.url,
      clock: t.clock,
      logger: silentLogger,
      keyPrefix: 'writ:wait-test:',
      waitReplicas: 1,
      waitTimeoutMs: 100,
    });
    const broker = await buildBroker({ ...t.config, devAdminKey: DEV_KEY }, silentLogger, {
      clock: t.clock,
      store,
    });
    try {
      const app = createApp(broker.app);
      const res = await postRevocation(app, DEV_KEY, { jti: 'BBBBBBBBBBBBBBBBBBBBBB' });
      expect(await errorOf(res)).toEqual({
        status: 503,
        error: 'temporarily_unavailable',
        description: NOT_CONFIRMED,
      });
      // The caller retries: still not confirmed while no replica acknowledges.
      expect((await postRevocation(app, DEV_KEY, { jti: 'BBBBBBBBBBBBBBBBBBBBBB' })).status).toBe(503);
    } finally {
      await broker.close();
      await t.close();
    }
  });
});
