import { type RedisServer, startRedis } from '@writ/test/harness';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStoreKeys } from '../src/store/shared/keys.js';
import { get, json } from './operator-reads-fixtures.js';
import { createTestOperatorKey } from './support/fixtures.js';
import { createTestBroker, type TestBroker } from './support/test-broker.js';

interface SnapshotBody {
  last_id: string;
  tasks: Array<{ task_id: string; status: string; until: number }>;
  writs: Array<{ jti: string; until: number }>;
  next_cursor: string | null;
}

/** Follows next_cursor to the end; every page within the page bound. */
async function readAllPages(t: TestBroker, key: string) {
  const tasks: string[] = [];
  const writs: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const query: string = cursor === null ? '' : `?cursor=${encodeURIComponent(cursor)}`;
    const body: SnapshotBody = await json<SnapshotBody>(await get(t, `/v1/revocations${query}`, key));
    expect(body.tasks.length).toBeLessThanOrEqual(1000);
    expect(body.writs.length).toBeLessThanOrEqual(1000);
    tasks.push(...body.tasks.map((e) => e.task_id));
    writs.push(...body.writs.map((e) => e.jti));
    cursor = body.next_cursor;
    pages += 1;
  } while (cursor !== null && pages < 1000);
  return { tasks, writs, pages };
}

/** the snapshot is paged, each page bounded, and answers however large the window. */
describe('GET /v1/revocations paging (redis, private server)', () => {
  let redis: RedisServer;
  let t: TestBroker;
  beforeAll(async () => {
    redis = await startRedis();
    t = await createTestBroker({ store: 'redis', redisUrl: redis.url });
  });
  afterAll(async () => {
    await t.close();
    await redis.stop();
  });

  it('pages through 150,000 ended tasks and 1,500 revoked jtis, every entry once, in order', async () => {
    const { key } = await createTestOperatorKey(t, ['read']);
    const audit = Object.keys(await t.snapshot()).find((k) => k.endsWith(':audit')) ?? '';
    const keys = createStoreKeys(audit.slice(0, -'audit'.length));
    const client = new Redis(redis.url);
    const until = t.clock.nowSeconds() + 3600;
    const TASKS = 150_000;
    const WRITS = 1_500;
    // Many entries share one `until` second, as a mass revocation would make them.
    for (let start = 0; start < TASKS; start += 10_000) {
      const pipeline = client.pipeline();
      for (let i = start; i < start + 10_000; i++) {
        const id = `task${String(i).padStart(6, '0')}aaaaaaaaaaaaaa`;
        pipeline.zadd(keys.revokedTasks, until + (i % 7), id);
        pipeline.hset(keys.revokedTaskStatus, id, 'revoked');
      }
      await pipeline.exec();
    }
    const pipeline = client.pipeline();
    for (let i = 0; i < WRITS; i++)
      pipeline.zadd(keys.revokedWrits, until, `jti${String(i).padStart(5, '0')}xxxxxxxxxxxxxxxxx`);
    // One already expired: never listed.
    pipeline.zadd(keys.revokedTasks, t.clock.nowSeconds() - 1, 'expiredtaskaaaaaaaaaaaaaa');
    await pipeline.exec();
    client.disconnect();

    const started = Date.now();
    const { tasks, writs, pages } = await readAllPages(t, key);
    expect(tasks).toHaveLength(TASKS);
    expect(new Set(tasks).size).toBe(TASKS);
    expect(tasks).not.toContain('expiredtaskaaaaaaaaaaaaaa');
    expect(writs).toHaveLength(WRITS);
    expect(new Set(writs).size).toBe(WRITS);
    // 150 full pages, plus at most one empty page when the last one was exactly full.
    expect(pages).toBeLessThanOrEqual(151);
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 120_000);
});

describe.each(['memory', 'redis'] as const)('GET /v1/revocations paging (%s)', (store) => {
  let t: TestBroker;
  beforeAll(async () => {
    t = await createTestBroker({ store });
  });
  afterAll(async () => t.close());

  it('pages 2,100 revoked jtis, tolerates entries expiring between pages, and refuses foreign cursors', async () => {
    const { key } = await createTestOperatorKey(t, ['revoke']);
    const jtis: string[] = [];
    for (let i = 0; i < 2100; i++) {
      const jti = `jti${String(i).padStart(5, '0')}yyyyyyyyyyyyyyyyyy`;
      jtis.push(jti);
      // Unknown jtis: remembered until the given time; the first 1,000 expire first.
      await t.store.revoke({
        target: { kind: 'writ', jti },
        reason: 'x',
        writUntil: t.clock.nowSeconds() + (i < 1000 ? 10 : 1000),
        audit: {
          type: 'writ.revoked',
          time: t.clock.nowMs(),
          request_id: 'r',
          decision: 'info',
          reasons: [],
        },
      });
    }
    const first = await json<SnapshotBody>(await get(t, '/v1/revocations', key));
    expect(first.writs.map((w) => w.jti)).toEqual(jtis.slice(0, 1000));
    expect(first.next_cursor).toEqual(expect.any(String));
    // The first page's entries expire (and are pruned by a later revocation) before the next page.
    t.clock.advance(100_000);
    await t.store.revoke({
      target: { kind: 'all' },
      reason: 'x',
      audit: { type: 'all.revoked', time: t.clock.nowMs(), request_id: 'r', decision: 'info', reasons: [] },
    });
    const rest: string[] = [];
    let cursor = first.next_cursor;
    while (cursor !== null) {
      const page: SnapshotBody = await json<SnapshotBody>(
        await get(t, `/v1/revocations?cursor=${encodeURIComponent(cursor)}`, key),
      );
      rest.push(...page.writs.map((w) => w.jti));
      cursor = page.next_cursor;
    }
    expect(rest).toEqual(jtis.slice(1000));

    for (const bad of ['0-0', 'WzEsImEiXQ', Buffer.from('["s",0,[1,""]]').toString('base64url'), '%%%']) {
      const res = await get(t, `/v1/revocations?cursor=${encodeURIComponent(bad)}`, key);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'invalid_request' });
    }
  }, 60_000);
});
