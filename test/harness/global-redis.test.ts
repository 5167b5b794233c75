import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import './provided.js';

describe('global Redis from inject("redisUrl")', () => {
  const url = inject('redisUrl');
  let redis: Redis;

  beforeAll(() => {
    redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    return redis.connect();
  });

  afterAll(async () => {
    await redis.quit();
  });

  it('is not the shared server on port 6379', () => {
    const parsed = new URL(url);
    expect(parsed.protocol).toBe('redis:');
    expect(parsed.port).not.toBe('');
    expect(Number(parsed.port)).not.toBe(6379);
  });

  it('stores a key with a TTL that counts down', async () => {
    const key = `harness:ttl:${process.pid}:${Date.now()}`;
    expect(await redis.set(key, 'v', 'EX', 10)).toBe('OK');
    expect(await redis.get(key)).toBe('v');
    const first = await redis.pttl(key);
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(10_000);
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(10);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const later = await redis.pttl(key);
    expect(later).toBeLessThanOrEqual(first - 1000);
    expect(later).toBeGreaterThan(0);
    await redis.del(key);
  });
});
