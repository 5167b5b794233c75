import { type RedisServer, startRedis, waitFor } from '@writ/test/harness';
import { afterEach, describe, expect, it } from 'vitest';
import { DatasetLostError } from '../src/store/index.js';
import { errorOf, isActive, postRevocation, reExchangeStatus } from './revocation-helpers.js';
import { createTestOperatorKey, startWrit, taskIdOf } from './support/fixtures.js';
import { createTestBroker, type TestBroker } from './support/test-broker.js';
import { writForm } from './support/tokens.js';

const ready = (t: TestBroker) => async () => (await t.app.request('/readyz')).status === 200;

describe('a revocation acknowledged with AOF survives kill -9 of redis-server', () => {
  let redis: RedisServer | undefined;
  let t: TestBroker | undefined;
  afterEach(async () => {
    await t?.close();
    await redis?.stop();
  });

  it('with appendfsync always: the snapshot still lists it and the writ is still refused', async () => {
    redis = await startRedis({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
    t = await createTestBroker({ store: 'redis', redisUrl: redis.url });
    const broker = t;
    const revoker = await createTestOperatorKey(t, ['admin']);
    const writ = await startWrit(t);
    const taskId = taskIdOf(writ);
    const res = await postRevocation(t.app, revoker.key, { task: taskId, reason: 'durability' });
    expect(res.status).toBe(200);
    const { feed_id } = (await res.json()) as { feed_id: string };

    await redis.kill('SIGKILL');
    await redis.restart();
    await waitFor(ready(broker), { timeoutMs: 5000, description: 'broker ready after the restart' });

    const snapshot = await t.app.request('/v1/revocations', {
      headers: { authorization: `Bearer ${revoker.key}` },
    });
    expect(snapshot.status).toBe(200);
    expect(await snapshot.json()).toMatchObject({
      last_id: feed_id,
      tasks: [{ task_id: taskId, status: 'revoked', until: expect.any(Number) }],
    });
    expect(await reExchangeStatus(t, writ)).toBe(400);
    expect(await isActive(t, revoker.key, writ)).toBe(false);
  });

  it('control: without persistence the restarted Redis has lost the dataset and everything fails closed', async () => {
    redis = await startRedis();
    t = await createTestBroker({ store: 'redis', redisUrl: redis.url });
    const revoker = await createTestOperatorKey(t, ['admin']);
    const writ = await startWrit(t);
    expect((await postRevocation(t.app, revoker.key, { task: taskIdOf(writ) })).status).toBe(200);

    await redis.kill('SIGKILL');
    await redis.restart();
    const store = t.store;
    await waitFor(
      async () => {
        try {
          await store.checkReady();
          return false;
        } catch (err) {
          return err instanceof DatasetLostError;
        }
      },
      { timeoutMs: 5000, description: 'the broker to notice the lost dataset' },
    );
    expect(await errorOf(await t.exchange(writForm(writ)))).toMatchObject({
      status: 503,
      error: 'temporarily_unavailable',
    });
    expect((await t.app.request('/readyz')).status).toBe(503);
  });
});
