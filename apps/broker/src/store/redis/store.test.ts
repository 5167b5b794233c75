import { createFaultProxy, freePort, waitFor } from '@writ/test/harness';
import { describe, expect, it } from 'vitest';
import { useRedisServers } from '../../../test/store/support/redis-servers.js';
import { snapshotRedis } from '../../../test/store/support/redis-snapshot.js';
import { buildAudit, buildChildTask, buildCommit, buildTask } from '../../../test/store/support/test-data.js';
import type { WritStore } from '../port/index.js';
import { DatasetLostError, StoreUnavailableError, UnsafeStoreConfigError } from '../shared/errors.js';
import { createStoreKeys } from '../shared/keys.js';

const keys = createStoreKeys();
const { start, connectAdmin, openStore, track } = useRedisServers();

/** Runs `call` and returns what it threw and how long it took. */
async function timeFailure(call: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  const error = await call().then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  return { error, ms: performance.now() - started };
}

function expectUnavailable(error: unknown, code?: RegExp): void {
  expect(error).toBeInstanceOf(StoreUnavailableError);
  expect(error).not.toBeInstanceOf(DatasetLostError);
  if (code) expect((error as Error).message).toMatch(code);
}

async function expectWorking(store: WritStore, timeoutMs = 5000): Promise<void> {
  await waitFor(async () => (await store.getTask('no-such-task')) === null, {
    timeoutMs,
    description: 'store works',
  });
}

describe('Redis store: keys and bounds', () => {
  it('drops expired tasks from the task indexes on later creations, a bounded batch each', async () => {
    const server = await start();
    const admin = await connectAdmin(server.url);
    const { store, clock } = openStore(server.url, { retentionSeconds: 1 });
    await store.init();
    const expired = Array.from({ length: 20 }, () =>
      buildTask(clock, { expires_at: clock.nowSeconds() + 1 }),
    );
    for (const task of expired) await store.commitIssuance(buildCommit(clock, task));
    const [first] = expired;
    if (!first) throw new Error('no task');
    // Expiry plus retention passes for real, so Redis drops the task hashes.
    await waitFor(async () => (await admin.exists(keys.task(first.id))) === 0, { timeoutMs: 6000 });
    clock.advance(4000);
    const fresh = [buildTask(clock), buildTask(clock)];
    for (const task of fresh) await store.commitIssuance(buildCommit(clock, task));
    const ids = fresh.map((t) => t.id).sort();
    expect((await admin.zrange(keys.tasks, '0', '-1')).sort()).toEqual(ids);
    // A principal index also expires with its newest task's record.
    expect((await admin.zrange(keys.principalTasks(first.principal), '0', '-1')).sort()).toEqual(ids);
  });

  it('prunes a principal index kept alive by a long task, a bounded batch per creation', async () => {
    const server = await start();
    const admin = await connectAdmin(server.url);
    const { store, clock } = openStore(server.url, { retentionSeconds: 1 });
    await store.init();
    const expired = Array.from({ length: 8 }, () => buildTask(clock, { expires_at: clock.nowSeconds() + 1 }));
    for (const task of expired) await store.commitIssuance(buildCommit(clock, task));
    // Created a second later: the oldest index entries (pruned first) are the expired ones.
    clock.advance(1000);
    const long = buildTask(clock, { expires_at: clock.nowSeconds() + 3600 });
    await store.commitIssuance(buildCommit(clock, long));
    const index = keys.principalTasks(long.principal);
    const [first] = expired;
    if (!first) throw new Error('no task');
    await waitFor(async () => (await admin.exists(keys.task(first.id))) === 0, { timeoutMs: 6000 });
    clock.advance(4000);
    const fresh = buildTask(clock);
    await store.commitIssuance(buildCommit(clock, fresh));
    // At most a quarter of the batch (4) per creation: the index key lives on with the long task.
    expect(await admin.zcard(index)).toBe(1 + 8 - 4 + 1);
    const another = buildTask(clock);
    await store.commitIssuance(buildCommit(clock, another));
    expect((await admin.zrange(index, '0', '-1')).sort()).toEqual([long.id, fresh.id, another.id].sort());
  });

  it('expires task, jti set and writ at their expiry plus the retention margin', async () => {
    const server = await start();
    const admin = await connectAdmin(server.url);
    const { store, clock } = openStore(server.url, { retentionSeconds: 120 });
    await store.init();
    const first = buildCommit(clock, buildTask(clock));
    const second = buildCommit(clock, first.task, false);
    await store.commitIssuance(first);
    await store.commitIssuance(second);
    const expireTime = (key: string) => admin.call('EXPIRETIME', key);
    expect(await expireTime(keys.task(first.task.id))).toBe(first.task.expires_at + 120);
    expect(await expireTime(keys.writ(first.task.id, first.writ.jti))).toBe(first.writ.expires_at + 120);
    expect(await expireTime(keys.writ(first.task.id, second.writ.jti))).toBe(second.writ.expires_at + 120);
    expect(await expireTime(keys.dataset)).toBe(-1);
  });

  it('trims the audit stream near its bound (XADD MAXLEN ~)', async () => {
    const server = await start(['--stream-node-max-entries', '10']);
    const admin = await connectAdmin(server.url);
    const { store, clock } = openStore(server.url, { auditMaxLen: 20 });
    await store.init();
    for (let n = 0; n < 200; n++) await store.appendAudit(buildAudit(clock, { time: n }));
    const length = await admin.xlen(keys.audit);
    expect(length).toBeGreaterThanOrEqual(20);
    expect(length).toBeLessThanOrEqual(30);
    expect((await store.readAudit(1000)).map((event) => event.time)).toEqual(
      Array.from({ length: 20 }, (_, i) => 199 - i),
    );
  });

  it('refuses to trust a malformed stored record', async () => {
    const server = await start();
    const admin = await connectAdmin(server.url);
    const { store } = openStore(server.url);
    await store.init();
    await admin.hset(keys.task('T1'), 'id', 'T1', 'status', 'live', 'tools', 'not json');
    await expect(store.getTask('T1')).rejects.toThrow(StoreUnavailableError);
    await admin.xadd(keys.audit, '*', 'e', '{"type":1}');
    await expect(store.readAudit(5)).rejects.toThrow(StoreUnavailableError);
  });
});

describe('Redis store: start-up checks', () => {
  it('refuses a Redis that may evict keys, saying what to set, and writes nothing', async () => {
    const server = await start(['--maxmemory-policy', 'allkeys-lru']);
    const admin = await connectAdmin(server.url);
    const { store } = openStore(server.url);
    const error = await store.init().catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(UnsafeStoreConfigError);
    expect((error as Error).message).toContain('"allkeys-lru"');
    expect((error as Error).message).toContain('maxmemory-policy noeviction');
    expect(await admin.dbsize()).toBe(0);
  });

  it('reads the eviction policy from INFO when CONFIG is disabled', async () => {
    const evicting = await start(['--rename-command', 'CONFIG', '', '--maxmemory-policy', 'volatile-lru']);
    await expect(openStore(evicting.url).store.init()).rejects.toThrow(/"volatile-lru"/);
    const safe = await start(['--rename-command', 'CONFIG', '']);
    await expect(openStore(safe.url).store.init()).resolves.toBeUndefined();
  });

  it('creates the dataset marker once, warning, and later starts share it', async () => {
    const server = await start();
    const admin = await connectAdmin(server.url);
    const first = openStore(server.url);
    await first.store.init();
    const epoch = await admin.get(keys.dataset);
    expect(epoch).toMatch(/^[0-9a-f-]{36}$/);
    const epochWarnings = (logs: typeof first.logs) =>
      logs.filter((line) => line.level === 'warn' && String(line.msg).includes('dataset epoch'));
    expect(epochWarnings(first.logs)).toEqual([
      expect.objectContaining({ obj: { epoch }, msg: expect.stringContaining('new dataset epoch') }),
    ]);
    const second = openStore(server.url);
    await second.store.init();
    expect(epochWarnings(second.logs)).toEqual([]);
    const commit = buildCommit(first.clock, buildTask(first.clock));
    await first.store.commitIssuance(commit);
    expect(await second.store.getTask(commit.task.id)).toStrictEqual(commit.task);
    expect(await admin.get(keys.dataset)).toBe(epoch);
  });

  it('fails fast when nothing listens at the URL', async () => {
    const port = await freePort();
    const { store } = openStore(`redis://127.0.0.1:${port}`);
    const { error, ms } = await timeFailure(() => store.init());
    expectUnavailable(error);
    expect(ms).toBeLessThan(1500);
  });

  it('can retry init until Redis comes up, with the same store object', async () => {
    const port = await freePort();
    const { store } = openStore(`redis://127.0.0.1:${port}`);
    await expect(store.init()).rejects.toThrow(StoreUnavailableError);
    await start([], port);
    await waitFor(() => store.init().then(() => true), { description: 'init succeeds' });
    await expect(store.checkReady()).resolves.toBeUndefined();
  });
});

describe('Redis store: lost dataset', () => {
  it('fails closed after FLUSHALL and writes nothing', async () => {
    const server = await start();
    const admin = await connectAdmin(server.url);
    const { store, clock } = openStore(server.url);
    await store.init();
    const root = buildTask(clock);
    await store.commitIssuance(buildCommit(clock, root));
    await admin.flushall();
    const calls: (() => Promise<unknown>)[] = [
      () => store.commitIssuance(buildCommit(clock, buildTask(clock))),
      () => store.commitIssuance(buildCommit(clock, buildChildTask(clock, root))),
      () => store.appendAudit(buildAudit(clock)),
      () => store.quarantineTask(root.id, buildAudit(clock)),
      () => store.getTask(root.id),
      () => store.getTask('no-such-task'),
      () => store.areTasksLive([root.id]),
      () => store.areTasksLive([]),
      () => store.readAudit(10),
      () => store.checkReady(),
    ];
    for (const call of calls) await expect(call()).rejects.toThrow(DatasetLostError);
    expect(await admin.dbsize()).toBe(0);
  });

  it('fails closed when the marker changes, even across a new init', async () => {
    const server = await start();
    const admin = await connectAdmin(server.url);
    const { store } = openStore(server.url);
    await store.init();
    await admin.set(keys.dataset, 'another-epoch');
    await expect(store.getTask('no-such-task')).rejects.toThrow(DatasetLostError);
    await expect(store.init()).rejects.toThrow(DatasetLostError);
    expect(await admin.get(keys.dataset)).toBe('another-epoch');
  });
});

describe('Redis store: Redis down, slow or refusing writes', () => {
  it('answers StoreUnavailableError within 1 s after kill -9, and recovers after a restart with AOF', async () => {
    const server = await start(['--appendonly', 'yes', '--appendfsync', 'always']);
    const { store, clock } = openStore(server.url);
    await store.init();
    const commit = buildCommit(clock, buildTask(clock));
    await store.commitIssuance(commit);
    await server.kill('SIGKILL');
    for (const call of [
      () => store.getTask(commit.task.id),
      () => store.commitIssuance(buildCommit(clock, buildTask(clock))),
      () => store.checkReady(),
    ]) {
      const { error, ms } = await timeFailure(call);
      expectUnavailable(error);
      expect(ms).toBeLessThan(1000);
    }
    await server.restart();
    await expectWorking(store);
    expect(await store.getTask(commit.task.id)).toStrictEqual(commit.task);
    // The restarted server has no scripts cached: EVALSHA falls back to EVAL.
    expect(await store.commitIssuance(buildCommit(clock, commit.task, false))).toEqual({ ok: true });
    await expect(store.checkReady()).resolves.toBeUndefined();
  });

  it('fails closed after a restart that lost the data (no persistence)', async () => {
    const server = await start();
    const { store, clock } = openStore(server.url);
    await store.init();
    await store.commitIssuance(buildCommit(clock, buildTask(clock)));
    await server.restart();
    await waitFor(
      async () => (await store.checkReady().catch((error: unknown) => error)) instanceof DatasetLostError,
      {
        description: 'DatasetLostError after restart',
      },
    );
    await expect(store.commitIssuance(buildCommit(clock, buildTask(clock)))).rejects.toThrow(
      DatasetLostError,
    );
  });

  it('answers StoreUnavailableError within 1 s through a blackholed link, and recovers when it heals', async () => {
    const server = await start();
    const proxy = await createFaultProxy({ target: { host: server.host, port: server.port } });
    track(() => proxy.close());
    const { store, clock } = openStore(proxy.redisUrl);
    await store.init();
    proxy.blackhole();
    for (const call of [
      () => store.commitIssuance(buildCommit(clock, buildTask(clock))),
      () => store.getTask('no-such-task'),
    ]) {
      const { error, ms } = await timeFailure(call);
      expectUnavailable(error, /no reply in time/);
      expect(ms).toBeLessThan(1000);
    }
    proxy.heal();
    await expectWorking(store);
  });

  it('refuses writes on a demoted primary (READONLY) and writes nothing', async () => {
    // No diskless-sync delay: the replicas sync at once instead of after 5 s.
    const primary = await start(['--repl-diskless-sync-delay', '0']);
    const other = await start(['--repl-diskless-sync-delay', '0']);
    const adminPrimary = await connectAdmin(primary.url);
    const adminOther = await connectAdmin(other.url);
    const { store, clock } = openStore(primary.url);
    await store.init();
    const root = buildTask(clock);
    await store.commitIssuance(buildCommit(clock, root));
    // A failover: `other` copies the data, is promoted, and the old primary follows it.
    await adminOther.replicaof(primary.host, primary.port);
    await waitFor(async () => (await adminOther.info('replication')).includes('master_link_status:up'));
    await adminOther.replicaof('NO', 'ONE');
    await adminPrimary.replicaof(other.host, other.port);
    await waitFor(async () => (await adminPrimary.info('replication')).includes('master_link_status:up'));
    const before = await snapshotRedis(adminPrimary, keys.prefix);
    for (const call of [
      () => store.commitIssuance(buildCommit(clock, buildTask(clock))),
      () => store.commitIssuance(buildCommit(clock, buildChildTask(clock, root))),
      () => store.quarantineTask(root.id, buildAudit(clock)),
      () => store.appendAudit(buildAudit(clock)),
      () => store.revoke({ target: { kind: 'all' }, reason: 'x', audit: buildAudit(clock) }),
    ]) {
      // Each READONLY makes the client reconnect (to find a new primary): wait for it first.
      await expectWorking(store);
      const { error } = await timeFailure(call);
      expectUnavailable(error, /READONLY/);
    }
    expect(await snapshotRedis(adminPrimary, keys.prefix)).toEqual(before);
    expect(await snapshotRedis(adminOther, keys.prefix)).toEqual(before);
    // Reads still work on the replica, read-only scripts included.
    await expectWorking(store);
    expect(await store.getTask(root.id)).toStrictEqual(root);
    expect(await store.revocationSnapshot()).toMatchObject({ last_id: '0-0', generation: 1 });
    expect(await store.readRevocations('0-0', 10)).toEqual({ entries: [], gap: false, ahead: false });
  });

  it('refuses writes when Redis is out of memory (OOM) and half-writes nothing', async () => {
    const server = await start();
    const admin = await connectAdmin(server.url);
    const { store, clock } = openStore(server.url);
    await store.init();
    const root = buildTask(clock);
    await store.commitIssuance(buildCommit(clock, root));
    const used = Number(/^used_memory:(\d+)/m.exec(await admin.info('memory'))?.[1]);
    await admin.config('SET', 'maxmemory', String(used + 256 * 1024));
    const filler = 'x'.repeat(16 * 1024);
    const fill = async (): Promise<string> => {
      for (let i = 0; i < 1000; i++) await admin.set(`filler:${i}`, filler);
      return 'never full';
    };
    await expect(fill()).rejects.toThrow(/^OOM/);
    const before = await snapshotRedis(admin, keys.prefix);
    for (const call of [
      () => store.commitIssuance(buildCommit(clock, buildTask(clock))),
      () => store.commitIssuance(buildCommit(clock, root, false)),
      () => store.quarantineTask(root.id, buildAudit(clock)),
      () => store.appendAudit(buildAudit(clock)),
      () => store.takeRateLimit('client:a', 10, 60),
    ]) {
      const { error } = await timeFailure(call);
      expectUnavailable(error, /OOM/);
    }
    expect(await snapshotRedis(admin, keys.prefix)).toEqual(before);
    expect(await store.getTask(root.id)).toStrictEqual(root);
    expect(await store.areTasksLive([root.id])).toBe(true);
    await expect(store.checkReady()).resolves.toBeUndefined();
  });
});
