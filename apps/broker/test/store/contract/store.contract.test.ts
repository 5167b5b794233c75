import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import '@writ/test/harness';
import { createFixedClock } from '../../../src/shared/clock.js';
import { silentLogger } from '../../../src/shared/logger.js';
import { createMemoryStore, createRedisStore } from '../../../src/store/index.js';
import { createStoreKeys } from '../../../src/store/shared/keys.js';
import { deleteKeys, snapshotRedis } from '../support/redis-snapshot.js';
import { describeStoreContract } from './contract.js';

describeStoreContract('memory', async (options = {}) => {
  const clock = createFixedClock(Date.now());
  const store = createMemoryStore({ clock, ...options });
  await store.init();
  return {
    store,
    clock,
    keys: createStoreKeys(),
    elapse: async (ms) => clock.advance(ms),
    snapshot: async () => store.snapshot(),
    cleanup: () => store.close(),
  };
});

// Tests share the run's Redis: each gets its own key prefix (and so its own dataset marker).
describeStoreContract('redis', async (options = {}) => {
  const url = inject('redisUrl');
  const prefix = `writ:test:${randomBytes(6).toString('hex')}:`;
  const clock = createFixedClock(Date.now());
  const store = createRedisStore({ url, clock, logger: silentLogger, keyPrefix: prefix, ...options });
  const admin = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await admin.connect();
  await store.init();
  return {
    store,
    clock,
    keys: createStoreKeys(prefix),
    async elapse(ms) {
      clock.advance(ms);
      await new Promise((resolve) => setTimeout(resolve, ms));
    },
    snapshot: () => snapshotRedis(admin, prefix),
    async cleanup() {
      await store.close();
      await deleteKeys(admin, prefix);
      await admin.quit();
    },
  };
});
