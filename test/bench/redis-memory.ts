import { Redis } from 'ioredis';
import { runBounded } from './bench-result.js';
import { startTaskBody } from './broker-fixture.js';

export const LIVE_TASKS = 2000;
// Every key of the broker's store, whatever its layout version (the bench's Redis holds nothing else).
const PREFIX = 'writ:';

export interface MemoryResult {
  tasks: number;
  /** INFO memory used_memory delta / tasks (everything, audit stream included). */
  usedMemoryPerTask: number;
  /** Σ MEMORY USAGE over writ:* keys except the audit stream, delta / tasks. */
  keysPerTask: number;
  /** The audit stream's MEMORY USAGE delta / tasks. */
  auditPerTask: number;
}

/** Starts LIVE_TASKS tasks (one writ each, distinct principals) and measures what Redis holds per task. */
export async function measureRedisMemory(options: {
  url: string;
  redisUrl: string;
  svids: readonly string[];
}): Promise<MemoryResult> {
  const redis = new Redis(options.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    const before = await snapshot(redis);
    await runBounded(LIVE_TASKS, 20, async (i) => {
      const res = await fetch(`${options.url}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: startTaskBody(options.svids[i % options.svids.length] as string, ['search_kb']),
      });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`token exchange answered ${res.status}: ${text}`);
    });
    const after = await snapshot(redis);
    return {
      tasks: LIVE_TASKS,
      usedMemoryPerTask: (after.used - before.used) / LIVE_TASKS,
      keysPerTask: (after.keys - before.keys) / LIVE_TASKS,
      auditPerTask: (after.audit - before.audit) / LIVE_TASKS,
    };
  } finally {
    redis.disconnect();
  }
}

async function snapshot(redis: Redis): Promise<{ used: number; keys: number; audit: number }> {
  const info = await redis.info('memory');
  const used = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? Number.NaN);
  let keys = 0;
  let audit = 0;
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
    cursor = next;
    if (batch.length === 0) continue;
    const pipeline = redis.pipeline();
    for (const key of batch) {
      pipeline.call('MEMORY', 'USAGE', key, 'SAMPLES', '0');
      pipeline.type(key);
    }
    const replies = (await pipeline.exec()) ?? [];
    batch.forEach((key, i) => {
      const bytes = Number(replies[2 * i]?.[1] ?? 0);
      const type = String(replies[2 * i + 1]?.[1] ?? '');
      if (type === 'stream' && key.endsWith('audit')) audit += bytes;
      else keys += bytes;
    });
  } while (cursor !== '0');
  return { used, keys, audit };
}
