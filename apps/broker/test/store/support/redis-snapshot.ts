import type { Redis } from 'ioredis';
import type { StoreSnapshot } from '../../../src/store/index.js';

/** Test support: every key under `prefix` (but the dataset marker), in the memory store's snapshot form. */
export async function snapshotRedis(redis: Redis, prefix: string): Promise<StoreSnapshot> {
  const result: StoreSnapshot = {};
  for (const key of await scanKeys(redis, prefix)) {
    if (key === `${prefix}dataset`) continue;
    const type = await redis.type(key);
    if (type === 'hash') result[key] = Object.fromEntries(Object.entries(await redis.hgetall(key)).sort());
    else if (type === 'set') result[key] = (await redis.smembers(key)).sort();
    else if (type === 'string') result[key] = (await redis.get(key)) ?? '';
    else if (type === 'zset') {
      const flat = await redis.zrange(key, '0', '-1', 'WITHSCORES');
      const pairs: Array<[string, string]> = [];
      for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i] ?? '', flat[i + 1] ?? '']);
      result[key] = Object.fromEntries(pairs.sort());
    } else if (type === 'stream') {
      // Each of our streams has one field per entry (`e` audit, `r` revocation): its value.
      result[key] = (await redis.xrange(key, '-', '+')).map(([, fields]) => fields[1] ?? '');
    } else if (type !== 'none') result[key] = `unexpected type ${type}`;
  }
  return result;
}

export async function scanKeys(redis: Redis, prefix: string): Promise<string[]> {
  const found = new Set<string>();
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    for (const key of batch) found.add(key);
  } while (cursor !== '0');
  return [...found].sort();
}

export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  const keys = await scanKeys(redis, prefix);
  if (keys.length > 0) await redis.del(...keys);
}
