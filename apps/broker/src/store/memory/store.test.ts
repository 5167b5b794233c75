import { describe, expect, it } from 'vitest';
import { buildAudit, buildCommit, buildTask } from '../../../test/store/support/test-data.js';
import { createFixedClock } from '../../shared/clock.js';
import { createStoreKeys } from '../shared/keys.js';
import { createMemoryStore } from './store.js';

const keys = createStoreKeys();

describe('memory store', () => {
  it('forgets task and writ records once expiry plus retention has passed', async () => {
    const clock = createFixedClock(1_700_000_000_000);
    const store = createMemoryStore({ clock, retentionSeconds: 60 });
    await store.init();
    const commit = buildCommit(clock, buildTask(clock, { expires_at: clock.nowSeconds() + 600 }));
    await store.commitIssuance(commit);
    const writKey = keys.writ(commit.task.id, commit.writ.jti);
    const start = clock.nowMs();
    clock.set((commit.writ.expires_at + 60) * 1000 - 1);
    expect(Object.keys(store.snapshot())).toContain(writKey);
    clock.advance(1);
    expect(Object.keys(store.snapshot())).not.toContain(writKey);
    clock.set(start + (600 + 60) * 1000 - 1);
    expect(await store.getTask(commit.task.id)).toStrictEqual(commit.task);
    clock.advance(1);
    expect(await store.getTask(commit.task.id)).toBeNull();
    // The global task index is pruned lazily: by a listing, or by a later issuance.
    expect(store.snapshot()).toEqual({
      [keys.audit]: [JSON.stringify(commit.audit)],
      [keys.tasks]: { [commit.task.id]: String(commit.task.created_at) },
    });
    expect(await store.listTasks({ limit: 10 })).toEqual({ items: [] });
    expect(store.snapshot()).toEqual({ [keys.audit]: [JSON.stringify(commit.audit)] });
  });

  it('drops expired tasks from the task indexes on later creations, as the Redis script does', async () => {
    const clock = createFixedClock(1_700_000_000_000);
    const store = createMemoryStore({ clock, retentionSeconds: 1 });
    await store.init();
    const expired = Array.from({ length: 20 }, () =>
      buildTask(clock, { expires_at: clock.nowSeconds() + 1 }),
    );
    for (const task of expired) await store.commitIssuance(buildCommit(clock, task));
    clock.advance(4000);
    const fresh = [buildTask(clock), buildTask(clock)];
    for (const task of fresh) await store.commitIssuance(buildCommit(clock, task));
    const snapshot = store.snapshot();
    expect(Object.keys(snapshot[keys.tasks] ?? {}).sort()).toEqual(fresh.map((t) => t.id).sort());
    // A principal index also expires with its newest task's record.
    const principalIndex = snapshot[keys.principalTasks(fresh[0]?.principal ?? '')] ?? {};
    expect(Object.keys(principalIndex).sort()).toEqual(fresh.map((t) => t.id).sort());
  });

  it('prunes a principal index kept alive by a long task, a bounded batch per creation', async () => {
    const clock = createFixedClock(1_700_000_000_000);
    const store = createMemoryStore({ clock, retentionSeconds: 1 });
    await store.init();
    const expired = Array.from({ length: 8 }, () => buildTask(clock, { expires_at: clock.nowSeconds() + 1 }));
    for (const task of expired) await store.commitIssuance(buildCommit(clock, task));
    // Created a second later: the oldest index entries (pruned first) are the expired ones.
    clock.advance(1000);
    const long = buildTask(clock, { expires_at: clock.nowSeconds() + 3600 });
    await store.commitIssuance(buildCommit(clock, long));
    clock.advance(4000);
    const index = keys.principalTasks(long.principal);
    const fresh = buildTask(clock);
    await store.commitIssuance(buildCommit(clock, fresh));
    expect(Object.keys(store.snapshot()[index] ?? {})).toHaveLength(1 + 8 - 4 + 1);
    const another = buildTask(clock);
    await store.commitIssuance(buildCommit(clock, another));
    expect(Object.keys(store.snapshot()[index] ?? {}).sort()).toEqual([long.id, fresh.id, another.id].sort());
  });

  it('bounds the audit log exactly', async () => {
    const clock = createFixedClock(1_700_000_000_000);
    const store = createMemoryStore({ clock, auditMaxLen: 3 });
    await store.init();
    for (let n = 0; n < 10; n++) await store.appendAudit(buildAudit(clock, { time: n }));
    expect(store.snapshot()[keys.audit]).toHaveLength(3);
    expect((await store.readAudit(10)).map((event) => event.time)).toEqual([9, 8, 7]);
  });

  it('expires a rate limit window by the injected clock', async () => {
    const clock = createFixedClock(1_700_000_000_000);
    const store = createMemoryStore({ clock });
    await store.init();
    await store.takeRateLimit('k', 1, 10);
    clock.advance(4_001);
    expect(await store.takeRateLimit('k', 1, 10)).toEqual({
      allowed: false,
      remaining: 0,
      retryAfterSeconds: 6,
    });
    clock.advance(5_999);
    expect(await store.takeRateLimit('k', 1, 10)).toEqual({
      allowed: true,
      remaining: 0,
      retryAfterSeconds: 0,
    });
  });
});
