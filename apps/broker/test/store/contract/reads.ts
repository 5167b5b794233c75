import { describe, expect, it } from 'vitest';
import {
  type AuditQuery,
  InvalidCursorError,
  InvalidStoreInputError,
  type TaskRecord,
} from '../../../src/store/index.js';
import { buildAudit, buildChildTask, buildCommit, buildTask } from '../support/test-data.js';
import type { StoreFixture } from './contract.js';

const ALICE = 'spiffe://example.org/ns/agents/sa/alice';
const BOB = 'oidc:ci:bob';

/** listTasks, getTaskWrits, getTaskChildren and queryAudit (operator reads). */
export function describeReadContract(fixture: () => StoreFixture): void {
  const store = async (f: StoreFixture, task: TaskRecord) => {
    const commit = buildCommit(f.clock, task);
    expect(await f.store.commitIssuance(commit)).toEqual({ ok: true });
    return commit;
  };
  const listAll = async (f: StoreFixture, principal: string | undefined, limit: number) => {
    const pages: string[][] = [];
    let cursor: string | undefined;
    do {
      const page = await f.store.listTasks({
        limit,
        ...(principal === undefined ? {} : { principal }),
        ...(cursor === undefined ? {} : { cursor }),
      });
      pages.push(page.items.map((task) => task.id));
      cursor = page.next_cursor;
    } while (cursor !== undefined && pages.length < 20);
    return pages;
  };

  describe('listTasks', () => {
    it('pages newest first, per principal (sub or client_id) or all', async () => {
      const f = fixture();
      const base = f.clock.nowSeconds();
      const alice = [];
      for (let n = 0; n < 5; n++) {
        alice.push(
          await store(f, buildTask(f.clock, { principal: ALICE, client_id: ALICE, created_at: base + n })),
        );
      }
      const bob = await store(
        f,
        buildTask(f.clock, { principal: BOB, client_id: BOB, created_at: base + 10 }),
      );
      const worker = await store(
        f,
        buildChildTask(f.clock, bob.task, { principal: BOB, client_id: ALICE, created_at: base + 11 }),
      );
      const ids = alice.map((c) => c.task.id).reverse();
      expect(await listAll(f, ALICE, 2)).toEqual([
        [worker.task.id, ids[0]],
        ids.slice(1, 3),
        ids.slice(3, 5),
      ]);
      expect(await listAll(f, BOB, 10)).toEqual([[worker.task.id, bob.task.id]]);
      expect(await listAll(f, undefined, 4)).toEqual([
        [worker.task.id, bob.task.id, ...ids.slice(0, 2)],
        ids.slice(2, 5),
      ]);
      expect((await f.store.listTasks({ limit: 1, principal: BOB })).items).toStrictEqual([worker.task]);
      expect(await f.store.listTasks({ limit: 5, principal: 'nobody' })).toEqual({ items: [] });
      expect(await f.store.listTasks({ limit: 5, principal: 'has space' })).toEqual({ items: [] });
    });

    it('pages through tasks created in the same second without loss or repeats', async () => {
      const f = fixture();
      const created = [];
      for (let n = 0; n < 5; n++)
        created.push((await store(f, buildTask(f.clock, { principal: ALICE }))).task.id);
      const pages = await listAll(f, ALICE, 2);
      expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
      expect(pages.flat()).toEqual(
        [...created].sort((a, b) => Buffer.compare(Buffer.from(b), Buffer.from(a))),
      );
    });

    it('rejects a bad limit or a cursor it did not make', async () => {
      const f = fixture();
      for (const limit of [0, 201, 1.5]) {
        await expect(f.store.listTasks({ limit })).rejects.toThrow(InvalidStoreInputError);
      }
      for (const cursor of ['x', Buffer.from('{"a":1}').toString('base64url')]) {
        await expect(f.store.listTasks({ limit: 5, cursor })).rejects.toThrow(InvalidCursorError);
      }
    });
  });

  describe('task details', () => {
    it('lists a task’s writs (oldest first) and its direct children', async () => {
      const f = fixture();
      const root = await store(f, buildTask(f.clock));
      f.clock.advance(1000);
      const second = buildCommit(f.clock, root.task, false);
      await f.store.commitIssuance(second);
      const children = [];
      for (let n = 0; n < 2; n++) children.push((await store(f, buildChildTask(f.clock, root.task))).task.id);
      await store(f, buildChildTask(f.clock, { ...root.task, id: children[0] ?? '', chain: [root.task.id] }));
      expect(await f.store.getTaskWrits(root.task.id)).toStrictEqual([root.writ, second.writ]);
      expect(await f.store.getTaskChildren(root.task.id)).toEqual([...children].sort());
      expect(await f.store.getTaskChildren('no-such-task')).toEqual([]);
      expect(await f.store.getTaskWrits('no-such-task')).toEqual([]);
      expect(await f.store.getTaskWrits('bad id')).toEqual([]);
    });
  });

  describe('queryAudit', () => {
    it('filters by task, principal (or actor), decision and time, newest first, paged', async () => {
      const f = fixture();
      const t0 = f.clock.nowMs();
      const events = [
        buildAudit(f.clock, { time: t0, task_id: 'A', principal: ALICE, decision: 'allow' }),
        buildAudit(f.clock, { time: t0 + 1, task_id: 'B', principal: BOB, decision: 'deny' }),
        buildAudit(f.clock, {
          time: t0 + 2,
          task_id: 'A',
          principal: BOB,
          actor_chain: [ALICE],
          decision: 'deny',
        }),
        buildAudit(f.clock, { time: t0 + 3, task_id: 'A', principal: ALICE, decision: 'info' }),
        buildAudit(f.clock, { time: t0 + 4, principal: BOB, decision: 'allow' }),
      ];
      for (const event of events) await f.store.appendAudit(event);
      const query = async (q: Omit<AuditQuery, 'limit'>) =>
        (await f.store.queryAudit({ ...q, limit: 10 })).items.map((event) =>
          events.findIndex((e) => e.request_id === event.request_id),
        );
      const everything = await f.store.queryAudit({ limit: 10 });
      expect(everything.items.map(({ id: _id, ...event }) => event)).toStrictEqual([...events].reverse());
      expect(everything.items.every((event) => /^\d+-\d+$/.test(event.id))).toBe(true);
      expect(await query({})).toEqual([4, 3, 2, 1, 0]);
      expect(await query({ task_id: 'A' })).toEqual([3, 2, 0]);
      expect(await query({ principal: ALICE })).toEqual([3, 2, 0]);
      expect(await query({ decision: 'deny' })).toEqual([2, 1]);
      expect(await query({ from: t0 + 1, to: t0 + 3 })).toEqual([3, 2, 1]);
      expect(await query({ task_id: 'A', decision: 'allow', to: t0 })).toEqual([0]);
      expect(await query({ task_id: 'none' })).toEqual([]);

      const first = await f.store.queryAudit({ task_id: 'A', limit: 2 });
      expect(first.items.map((e) => e.time)).toEqual([t0 + 3, t0 + 2]);
      expect(first.next_cursor).toBe(first.items[1]?.id);
      const second = await f.store.queryAudit({ task_id: 'A', limit: 2, cursor: first.next_cursor ?? '' });
      expect(second.items.map((e) => e.time)).toEqual([t0]);
      expect(second).not.toHaveProperty('next_cursor');
    });

    it('scans a bounded number of entries per call and hands back a cursor to continue', async () => {
      const f = fixture();
      const match = buildAudit(f.clock, { task_id: 'needle' });
      await f.store.appendAudit(match);
      for (let n = 0; n < 5001; n++) await f.store.appendAudit(buildAudit(f.clock, { task_id: 'hay' }));
      const first = await f.store.queryAudit({ task_id: 'needle', limit: 10 });
      expect(first.items).toEqual([]);
      expect(first.next_cursor).toMatch(/^\d+-\d+$/);
      const second = await f.store.queryAudit({
        task_id: 'needle',
        limit: 10,
        cursor: first.next_cursor ?? '',
      });
      expect(second.items.map(({ id: _id, ...event }) => event)).toStrictEqual([match]);
      expect(second).not.toHaveProperty('next_cursor');
    });

    it('rejects a bad limit, bound or cursor', async () => {
      const f = fixture();
      await expect(f.store.queryAudit({ limit: 0 })).rejects.toThrow(InvalidStoreInputError);
      await expect(f.store.queryAudit({ limit: 5, from: -1 })).rejects.toThrow(InvalidStoreInputError);
      await expect(f.store.queryAudit({ limit: 5, cursor: 'abc' })).rejects.toThrow(InvalidCursorError);
    });
  });
}
