import { afterEach, describe, expect, it } from 'vitest';
import { type RedisServer, startRedis } from '../../../../test/harness/index.js';
import { createFixedClock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { createRedisStore } from './redis-store.js';

function recordingLogger(warnings: string[]): Logger {
  const logger: Logger = {
    info() {},
    debug() {},
    error() {},
    warn(_obj, msg) {
      warnings.push(msg ?? '');
    },
    child: () => logger,
  };
  return logger;
}

describe('Redis store start: durability of revocations', () => {
  let server: RedisServer | undefined;
  afterEach(async () => server?.stop());

  async function warningsFor(args: string[], waitReplicas = 0): Promise<string[]> {
    server = await startRedis({ args });
    const warnings: string[] = [];
    const store = createRedisStore({
      url: server.url,
      clock: createFixedClock(Date.now()),
      logger: recordingLogger(warnings),
      waitReplicas,
    });
    await store.init();
    await store.close();
    return warnings.filter((w) => w.includes('NOT durable'));
  }

  it('warns when neither fsync-always AOF nor replicas make a revocation durable', async () => {
    expect(await warningsFor([])).toHaveLength(1);
  });

  it('is quiet with appendonly yes + appendfsync always', async () => {
    expect(await warningsFor(['--appendonly', 'yes', '--appendfsync', 'always'])).toEqual([]);
  });

  it('is quiet when revocations wait for replicas', async () => {
    expect(await warningsFor([], 1)).toEqual([]);
  });
});
