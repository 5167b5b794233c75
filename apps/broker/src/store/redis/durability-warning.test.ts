import { describe, expect, it } from 'vitest';
import { useRedisServers } from '../../../test/store/support/redis-servers.js';

describe('Redis store start: durability of revocations', () => {
  const servers = useRedisServers();

  async function warningsFor(args: string[], waitReplicas = 0): Promise<string[]> {
    const server = await servers.start(args);
    const { store, logs } = servers.openStore(server.url, { waitReplicas });
    await store.init();
    return logs
      .filter((line) => line.level === 'warn' && String(line.msg).includes('NOT durable'))
      .map((l) => String(l.msg));
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
