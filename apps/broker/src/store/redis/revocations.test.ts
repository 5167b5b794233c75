import { waitFor } from '@writ/test/harness';
import { describe, expect, it } from 'vitest';
import { useRedisServers } from '../../../test/store/support/redis-servers.js';
import { snapshotRedis } from '../../../test/store/support/redis-snapshot.js';
import {
  buildAudit,
  buildChildTask,
  buildCommit,
  buildOperatorKey,
  buildTask,
  livenessOf,
} from '../../../test/store/support/test-data.js';
import { DatasetLostError, StoreUnavailableError } from '../shared/errors.js';
import { createStoreKeys } from '../shared/keys.js';
import type { RedisStoreOptions } from './store.js';

const keys = createStoreKeys();
const servers = useRedisServers();
const { start, connectAdmin } = servers;

async function openStore(url: string, options: Partial<RedisStoreOptions> = {}) {
  const { store, clock } = servers.openStore(url, options);
  await store.init();
  return { store, clock };
}

describe('Redis store: durable revocations', () => {
  it('keeps an acknowledged revocation across kill -9 and a restart (AOF, appendfsync always)', async () => {
    const server = await start(['--appendonly', 'yes', '--appendfsync', 'always']);
    const { store, clock } = await openStore(server.url);
    const commit = buildCommit(clock, buildTask(clock));
    await store.commitIssuance(commit);
    const live = livenessOf(commit.writ, commit.task);
    const target = { kind: 'task', task_id: commit.task.id } as const;
    const result = await store.revoke({ target, reason: 'operator', audit: buildAudit(clock) });
    expect(result).toMatchObject({ changed: true });
    await server.kill('SIGKILL');
    await server.restart();
    await waitFor(
      async () =>
        await store.checkReady().then(
          () => true,
          () => false,
        ),
      {
        description: 'store ready after restart',
      },
    );
    expect(await store.checkWritLive(live)).toEqual({ live: false, reason: 'task_not_live' });
    const snapshot = await store.revocationSnapshot();
    expect(snapshot.last_id).toBe(result.entry?.id);
    expect(snapshot.tasks).toEqual([
      { task_id: commit.task.id, status: 'revoked', until: commit.task.expires_at + 60 },
    ]);
    expect((await store.readRevocations('0-0', 10)).entries).toStrictEqual([result.entry]);
  });

  it('confirms a revocation on a replica with WAIT', async () => {
    const primary = await start(['--repl-diskless-sync-delay', '0']);
    const replica = await start(['--repl-diskless-sync-delay', '0']);
    const adminReplica = await connectAdmin(replica.url);
    await adminReplica.replicaof(primary.host, primary.port);
    await waitFor(async () => (await adminReplica.info('replication')).includes('master_link_status:up'));
    const { store, clock } = await openStore(primary.url, { waitReplicas: 1, waitTimeoutMs: 2000 });
    const result = await store.revoke({ target: { kind: 'all' }, reason: 'x', audit: buildAudit(clock) });
    expect(result.entry?.below_gen).toBe(2);
    expect(await adminReplica.get(keys.generation)).toBe('2');
  });

  it('reports a revocation no replica confirmed as unavailable; it is applied on the primary and a retry is idempotent', async () => {
    const server = await start();
    const admin = await connectAdmin(server.url);
    const { store, clock } = await openStore(server.url, { waitReplicas: 1, waitTimeoutMs: 200 });
    const commit = buildCommit(clock, buildTask(clock));
    await store.commitIssuance(commit);
    const input = {
      target: { kind: 'task', task_id: commit.task.id } as const,
      reason: 'x',
      audit: buildAudit(clock),
    };
    const started = performance.now();
    const error = await store.revoke(input).catch((thrown: unknown) => thrown);
    const elapsed = performance.now() - started;
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect((error as Error).message).toBe('revocation not confirmed by replicas');
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(1000);
    // Not confirmed is not undone: the primary holds it, and the caller (told 503) may retry.
    expect(await admin.hget(keys.task(commit.task.id), 'status')).toBe('revoked');
    expect(await admin.xlen(keys.revocations)).toBe(1);
    await expect(store.revoke(input)).rejects.toThrow('revocation not confirmed by replicas');
    expect(await admin.xlen(keys.revocations)).toBe(1);
    expect(await store.checkWritLive(livenessOf(commit.writ, commit.task))).toMatchObject({ live: false });
  });
});

describe('Redis store: issue-4 operations fail closed', () => {
  it('after FLUSHALL, every operation throws DatasetLostError and writes nothing', async () => {
    const server = await start();
    const admin = await connectAdmin(server.url);
    const { store, clock } = await openStore(server.url);
    const root = buildCommit(clock, buildTask(clock));
    const child = buildCommit(clock, buildChildTask(clock, root.task));
    await store.commitIssuance(root);
    await store.commitIssuance(child);
    await admin.flushall();
    const live = livenessOf(child.writ, child.task);
    const calls: (() => Promise<unknown>)[] = [
      () => store.checkWritLive(live),
      () => store.authorizeAction({ ...live, tool: 'jira.read', audit: buildAudit(clock) }),
      () => store.authorizeAction({ ...live, jti: 'bad jti', tool: 'jira.read', audit: buildAudit(clock) }),
      () =>
        store.revoke({
          target: { kind: 'task', task_id: root.task.id },
          reason: 'x',
          audit: buildAudit(clock),
        }),
      () =>
        store.revoke({ target: { kind: 'writ', jti: root.writ.jti }, reason: 'x', audit: buildAudit(clock) }),
      () => store.revoke({ target: { kind: 'all' }, reason: 'x', audit: buildAudit(clock) }),
      () => store.quarantineTask(root.task.id, buildAudit(clock)),
      () => store.revocationSnapshot(),
      () => store.readRevocations('0-0', 10),
      () => store.currentGeneration(),
      () => store.getTaskUsage(root.task.id),
      () => store.listTasks({ limit: 10 }),
      () => store.getTaskWrits(root.task.id),
      () => store.getTaskChildren(root.task.id),
      () => store.queryAudit({ limit: 10 }),
      () => store.createOperatorKey(buildOperatorKey(clock), buildAudit(clock)),
      () => store.bootstrapOperatorKey(buildOperatorKey(clock), buildAudit(clock)),
      () => store.updateOperatorKey('k1', { status: 'disabled', updated_at: 1 }, buildAudit(clock)),
      () => store.getOperatorKey('k1'),
      () => store.listOperatorKeys(),
    ];
    for (const call of calls) await expect(call()).rejects.toThrow(DatasetLostError);
    expect(await admin.dbsize()).toBe(0);
  });

  it('refuses revocations and budgeted actions when Redis is out of memory, and half-writes nothing', async () => {
    const server = await start();
    const admin = await connectAdmin(server.url);
    const { store, clock } = await openStore(server.url);
    const commit = buildCommit(clock, buildTask(clock));
    await store.commitIssuance(commit);
    const used = Number(/^used_memory:(\d+)/m.exec(await admin.info('memory'))?.[1]);
    await admin.config('SET', 'maxmemory', String(used + 256 * 1024));
    const filler = 'x'.repeat(16 * 1024);
    await expect(
      (async () => {
        for (let i = 0; i < 1000; i++) await admin.set(`filler:${i}`, filler);
      })(),
    ).rejects.toThrow(/^OOM/);
    const before = await snapshotRedis(admin, keys.prefix);
    const live = livenessOf(commit.writ, commit.task);
    for (const call of [
      () => store.revoke({ target: { kind: 'all' }, reason: 'x', audit: buildAudit(clock) }),
      () => store.authorizeAction({ ...live, tool: 'jira.read', audit: buildAudit(clock) }),
      () => store.createOperatorKey(buildOperatorKey(clock), buildAudit(clock)),
    ]) {
      const error = await call().catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(StoreUnavailableError);
      expect((error as Error).message).toMatch(/OOM/);
    }
    expect(await snapshotRedis(admin, keys.prefix)).toEqual(before);
    // Reads (read-only scripts included) still answer.
    expect(await store.checkWritLive(live)).toEqual({ live: true });
    expect((await store.revocationSnapshot()).generation).toBe(1);
  });

  it('sets every index and usage key to expire with its task', async () => {
    const server = await start();
    const admin = await connectAdmin(server.url);
    const { store, clock } = await openStore(server.url, { retentionSeconds: 120 });
    const root = buildCommit(clock, buildTask(clock));
    const child = buildCommit(
      clock,
      buildChildTask(clock, root.task, { expires_at: root.task.expires_at - 100 }),
    );
    await store.commitIssuance(root);
    await store.commitIssuance(child);
    await store.authorizeAction({
      ...livenessOf(child.writ, child.task),
      tool: 'jira.read',
      audit: buildAudit(clock),
    });
    const expireTime = (key: string) => admin.call('EXPIRETIME', key);
    const rootKeep = root.task.expires_at + 120;
    expect(await expireTime(keys.writTask(root.writ.jti))).toBe(root.writ.expires_at + 120);
    expect(await expireTime(keys.principalTasks(root.task.principal))).toBe(rootKeep);
    expect(await expireTime(keys.taskChildren(root.task.id))).toBe(child.task.expires_at + 120);
    expect(await expireTime(keys.taskUsage(root.task.id))).toBe(rootKeep);
    expect(await expireTime(keys.taskUsage(child.task.id))).toBe(child.task.expires_at + 120);
    for (const key of [keys.tasks, keys.generation]) expect(await expireTime(key)).toBeLessThan(0);
  });
});
