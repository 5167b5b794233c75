import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { createFixedClock } from '../../../src/shared/clock.js';
import {
  InvalidStoreInputError,
  type StoreSnapshot,
  StoreUnavailableError,
  type WritStore,
} from '../../../src/store/index.js';
import type { StoreKeys } from '../../../src/store/shared/keys.js';
import { buildAudit, buildChildTask, buildCommit, buildTask, buildWrit } from '../support/test-data.js';
import { describeCommitSubjectContract } from './commit-subject.js';
import { describeFeedContract } from './feed.js';
import { describeOperatorKeyContract } from './operator-keys.js';
import { describeReadContract } from './reads.js';
import { describeRevocationContract } from './revocations.js';
import { describeRuntimeContract } from './runtime.js';

export type FixedClock = ReturnType<typeof createFixedClock>;

export interface StoreFixture {
  /** Already initialised. */
  store: WritStore;
  /** The store's clock, frozen near real time. */
  clock: FixedClock;
  keys: StoreKeys;
  /** Moves the clock, and waits for real where the backend's own TTLs run on the wall clock. */
  elapse(ms: number): Promise<void>;
  /** Every key the store holds except the dataset marker, to prove a refused call wrote nothing. */
  snapshot(): Promise<StoreSnapshot>;
  cleanup(): Promise<void>;
}

export type MakeStore = (options?: { auditMaxLen?: number; feedMaxLen?: number }) => Promise<StoreFixture>;

/** One suite, run against every WritStore implementation (one contract, every implementation). */
export function describeStoreContract(name: string, makeStore: MakeStore): void {
  describe(`WritStore contract: ${name}`, () => {
    let f: StoreFixture;
    beforeEach(async () => {
      f = await makeStore();
    });
    afterEach(async () => {
      await f.cleanup();
    });
    const fixture = () => f;
    describeRevocationContract(fixture);
    describeFeedContract(fixture, makeStore);
    describeRuntimeContract(fixture);
    describeCommitSubjectContract(fixture);
    describeReadContract(fixture);
    describeOperatorKeyContract(fixture);

    describe('commitIssuance', () => {
      it('writes the task (with its jti), the writ and the audit event', async () => {
        const commit = buildCommit(f.clock, buildTask(f.clock));
        const { task, writ } = commit;
        expect(await f.store.commitIssuance(commit)).toEqual({ ok: true });
        expect(await f.store.getTask(task.id)).toStrictEqual(task);
        expect(await f.store.readAudit(10)).toStrictEqual([commit.audit]);
        const snapshot = await f.snapshot();
        const writKey = f.keys.writ(task.id, writ.jti);
        expect(Object.keys(snapshot).sort()).toEqual(
          [
            f.keys.audit,
            f.keys.task(task.id),
            writKey,
            f.keys.writTask(writ.jti),
            f.keys.tasks,
            f.keys.principalTasks(task.principal),
          ].sort(),
        );
        expect((snapshot[f.keys.task(task.id)] as Record<string, string>).w).toBe(writ.jti);
        expect(snapshot[f.keys.writTask(writ.jti)]).toBe(task.id);
        expect(snapshot[f.keys.tasks]).toEqual({ [task.id]: String(task.created_at) });
        expect(snapshot[f.keys.principalTasks(task.principal)]).toEqual({
          [task.id]: String(task.created_at),
        });
        // Short field names; the task id (in the key), a client_id equal to the principal and an
        // empty actor chain are not stored.
        expect(snapshot[writKey]).toEqual({
          jti: writ.jti,
          a: 'https://jira.example.com',
          t: '["jira.read","jira.comment"]',
          p: task.principal,
          i: String(writ.issued_at),
          expires_at: String(writ.expires_at),
          g: '1',
        });
      });

      it('round-trips every task field, and leaves absent optional fields absent', async () => {
        const root = buildTask(f.clock);
        const child = buildChildTask(f.clock, root, { budget: { per_tool: { 'jira.read': 0 } } });
        const bare = buildTask(f.clock, { data_class: 'restricted', data_classes: ['restricted'] });
        delete bare.budget;
        delete bare.client_attributes;
        const typed = buildTask(f.clock, { client_attributes: { n: 3, ok: true, empty: [] } });
        for (const task of [root, child, bare, typed]) {
          expect(await f.store.commitIssuance(buildCommit(f.clock, task))).toEqual({ ok: true });
        }
        expect(await f.store.getTask(root.id)).toStrictEqual(root);
        expect(await f.store.getTask(child.id)).toStrictEqual(child);
        const stored = await f.store.getTask(bare.id);
        expect(stored).toStrictEqual(bare);
        expect(stored).not.toHaveProperty('parent');
        expect(stored).not.toHaveProperty('budget');
        expect(stored).not.toHaveProperty('client_attributes');
        expect(await f.store.getTask(typed.id)).toStrictEqual(typed);
      });

      it('refuses to create a task that exists and writes nothing', async () => {
        const task = buildTask(f.clock);
        await f.store.commitIssuance(buildCommit(f.clock, task));
        const before = await f.snapshot();
        const again = buildCommit(f.clock, { ...task, intent: 'something else' });
        expect(await f.store.commitIssuance(again)).toEqual({ ok: false, reason: 'task_exists' });
        expect(await f.snapshot()).toEqual(before);
      });

      it.each(['quarantined', 'missing', 'expired'] as const)(
        'refuses a child under a %s ancestor and writes nothing',
        async (state) => {
          const root = buildTask(f.clock, { expires_at: f.clock.nowSeconds() + 10 });
          if (state !== 'missing') await f.store.commitIssuance(buildCommit(f.clock, root));
          if (state === 'quarantined') {
            expect(await f.store.quarantineTask(root.id, buildAudit(f.clock))).toBe(true);
          }
          if (state === 'expired') f.clock.advance(10_000);
          const child = buildChildTask(f.clock, root, { expires_at: f.clock.nowSeconds() + 5 });
          const before = await f.snapshot();
          expect(await f.store.commitIssuance(buildCommit(f.clock, child))).toEqual({
            ok: false,
            reason: 'task_not_live',
          });
          expect(await f.snapshot()).toEqual(before);
          expect(await f.store.getTask(child.id)).toBeNull();
        },
      );

      it('refuses when any one of several ancestors is not live', async () => {
        const root = buildTask(f.clock);
        const middle = buildChildTask(f.clock, root);
        await f.store.commitIssuance(buildCommit(f.clock, root));
        await f.store.commitIssuance(buildCommit(f.clock, middle));
        const leaf = buildChildTask(f.clock, middle);
        await f.store.quarantineTask(root.id, buildAudit(f.clock));
        const before = await f.snapshot();
        expect(await f.store.commitIssuance(buildCommit(f.clock, leaf))).toEqual({
          ok: false,
          reason: 'task_not_live',
        });
        expect(await f.snapshot()).toEqual(before);
      });

      it('adds a writ to a live task without rewriting the task', async () => {
        const task = buildTask(f.clock);
        const first = buildCommit(f.clock, task);
        await f.store.commitIssuance(first);
        const second = buildCommit(f.clock, { ...task, intent: 'ignored when not creating' }, false);
        expect(await f.store.commitIssuance(second)).toEqual({ ok: true });
        expect(await f.store.getTask(task.id)).toStrictEqual(task);
        const snapshot = await f.snapshot();
        expect((snapshot[f.keys.task(task.id)] as Record<string, string>).w).toBe(
          `${first.writ.jti} ${second.writ.jti}`,
        );
        expect(snapshot[f.keys.writ(task.id, second.writ.jti)]).toMatchObject({ jti: second.writ.jti });
        expect(await f.store.readAudit(10)).toStrictEqual([second.audit, first.audit]);
      });

      it.each(['quarantined', 'missing', 'expired'] as const)(
        'refuses a writ for a %s task (createTask false) and writes nothing',
        async (state) => {
          const task = buildTask(f.clock, { expires_at: f.clock.nowSeconds() + 10 });
          if (state !== 'missing') await f.store.commitIssuance(buildCommit(f.clock, task));
          if (state === 'quarantined') await f.store.quarantineTask(task.id, buildAudit(f.clock));
          if (state === 'expired') f.clock.advance(10_000);
          const before = await f.snapshot();
          expect(await f.store.commitIssuance(buildCommit(f.clock, task, false))).toEqual({
            ok: false,
            reason: 'task_not_live',
          });
          expect(await f.snapshot()).toEqual(before);
        },
      );

      it('rejects ids that cannot be keys, and a writ of another task, before writing', async () => {
        const bad = buildTask(f.clock, { id: 'task}{x' });
        await expect(f.store.commitIssuance(buildCommit(f.clock, bad))).rejects.toThrow(
          InvalidStoreInputError,
        );
        const task = buildTask(f.clock);
        const spaced = { ...buildCommit(f.clock, task), requireLive: ['has space'] };
        await expect(f.store.commitIssuance(spaced)).rejects.toThrow(InvalidStoreInputError);
        const foreign = { ...buildCommit(f.clock, task), writ: buildWrit(f.clock, buildTask(f.clock)) };
        await expect(f.store.commitIssuance(foreign)).rejects.toThrow(InvalidStoreInputError);
        expect(await f.snapshot()).toEqual({});
      });
    });

    describe('tasks', () => {
      it('answers null for a task that does not exist or could not have been stored', async () => {
        expect(await f.store.getTask('no-such-task')).toBeNull();
        expect(await f.store.getTask('a{b}')).toBeNull();
        expect(await f.store.getTask('')).toBeNull();
      });

      it('areTasksLive: every id live and unexpired', async () => {
        const root = buildTask(f.clock, { expires_at: f.clock.nowSeconds() + 60 });
        const child = buildChildTask(f.clock, root, { expires_at: f.clock.nowSeconds() + 30 });
        await f.store.commitIssuance(buildCommit(f.clock, root));
        await f.store.commitIssuance(buildCommit(f.clock, child));
        expect(await f.store.areTasksLive([])).toBe(true);
        expect(await f.store.areTasksLive([root.id, child.id])).toBe(true);
        expect(await f.store.areTasksLive([root.id, 'no-such-task'])).toBe(false);
        expect(await f.store.areTasksLive([root.id, 'bad id'])).toBe(false);
        f.clock.advance(30_000);
        expect(await f.store.areTasksLive([root.id])).toBe(true);
        expect(await f.store.areTasksLive([root.id, child.id])).toBe(false);
        f.clock.advance(30_000);
        expect(await f.store.areTasksLive([root.id])).toBe(false);
      });

      it('quarantines a live task once, with its audit event, and nothing else', async () => {
        const commit = buildCommit(f.clock, buildTask(f.clock));
        await f.store.commitIssuance(commit);
        const event = buildAudit(f.clock, {
          type: 'task.quarantined',
          decision: 'info',
          task_id: commit.task.id,
        });
        expect(await f.store.quarantineTask(commit.task.id, event)).toBe(true);
        expect(await f.store.getTask(commit.task.id)).toStrictEqual({
          ...commit.task,
          status: 'quarantined',
        });
        expect(await f.store.areTasksLive([commit.task.id])).toBe(false);
        expect(await f.store.readAudit(10)).toStrictEqual([event, commit.audit]);
        const before = await f.snapshot();
        expect(await f.store.quarantineTask(commit.task.id, buildAudit(f.clock))).toBe(false);
        expect(await f.store.quarantineTask('no-such-task', buildAudit(f.clock))).toBe(false);
        expect(await f.store.quarantineTask('bad id', buildAudit(f.clock))).toBe(false);
        expect(await f.snapshot()).toEqual(before);
      });
    });

    describe('takeRateLimit', () => {
      it('counts a fixed window per key and says when to retry', async () => {
        const results = [];
        for (let i = 0; i < 4; i++) results.push(await f.store.takeRateLimit('client:a', 3, 60));
        expect(results).toEqual([
          { allowed: true, remaining: 2, retryAfterSeconds: 0 },
          { allowed: true, remaining: 1, retryAfterSeconds: 0 },
          { allowed: true, remaining: 0, retryAfterSeconds: 0 },
          { allowed: false, remaining: 0, retryAfterSeconds: 60 },
        ]);
        expect(await f.store.takeRateLimit('client:b', 3, 60)).toEqual({
          allowed: true,
          remaining: 2,
          retryAfterSeconds: 0,
        });
      });

      it('opens a new window when the old one ends', async () => {
        expect(await f.store.takeRateLimit('ip:203.0.113.9', 1, 1)).toMatchObject({ allowed: true });
        expect(await f.store.takeRateLimit('ip:203.0.113.9', 1, 1)).toEqual({
          allowed: false,
          remaining: 0,
          retryAfterSeconds: 1,
        });
        await f.elapse(1100);
        expect(await f.store.takeRateLimit('ip:203.0.113.9', 1, 1)).toEqual({
          allowed: true,
          remaining: 0,
          retryAfterSeconds: 0,
        });
      });

      it('rejects a bad key, limit or window', async () => {
        await expect(f.store.takeRateLimit('has space', 1, 1)).rejects.toThrow(InvalidStoreInputError);
        await expect(f.store.takeRateLimit('k', 0, 1)).rejects.toThrow(InvalidStoreInputError);
        await expect(f.store.takeRateLimit('k', 1, 0.5)).rejects.toThrow(InvalidStoreInputError);
      });
    });

    describe('audit', () => {
      it('reads the most recent events first, up to the limit', async () => {
        const types = ['task.started', 'writ.issued', 'action.allowed'] as const;
        const events = types.map((type, n) => buildAudit(f.clock, { type, time: n + 1 }));
        for (const event of events) await f.store.appendAudit(event);
        expect(await f.store.readAudit(10)).toStrictEqual([...events].reverse());
        expect(await f.store.readAudit(2)).toStrictEqual([events[2], events[1]]);
        expect(await f.store.readAudit(0)).toEqual([]);
      });

      it('keeps the log bounded to its configured length', async () => {
        const bounded = await makeStore({ auditMaxLen: 5 });
        try {
          const events = Array.from({ length: 12 }, (_, n) => buildAudit(bounded.clock, { time: n }));
          for (const event of events) await bounded.store.appendAudit(event);
          expect(await bounded.store.readAudit(100)).toStrictEqual(events.slice(7).reverse());
        } finally {
          await bounded.cleanup();
        }
      });
    });

    describe('lifecycle', () => {
      it('is ready after init and unavailable after close', async () => {
        await expect(f.store.checkReady()).resolves.toBeUndefined();
        await f.store.close();
        await expect(f.store.checkReady()).rejects.toThrow(StoreUnavailableError);
        await expect(f.store.getTask('no-such-task')).rejects.toThrow(StoreUnavailableError);
        await expect(f.store.takeRateLimit('k', 1, 1)).rejects.toThrow(StoreUnavailableError);
        const commit = buildCommit(f.clock, buildTask(f.clock));
        await expect(f.store.commitIssuance(commit)).rejects.toThrow(StoreUnavailableError);
      });
    });
  });
}
