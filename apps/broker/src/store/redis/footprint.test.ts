import { describe, expect, it } from 'vitest';
import '@writ/test/harness';
import { useRedisServers } from '../../../test/store/support/redis-servers.js';
import { buildCommit, buildTask } from '../../../test/store/support/test-data.js';
import type { TaskRecord } from '../port/index.js';

const TASKS = 2000;

/** What start-task records for a SPIFFE workload: its trust domain and path as attributes. */
const spiffeTask = (clock: Parameters<typeof buildTask>[0]): TaskRecord =>
  buildTask(clock, { client_attributes: { trust_domain: 'example.org', path: '/ns/agents/sa/triage' } });

describe('Redis footprint of a live task (own redis-server)', () => {
  const servers = useRedisServers();

  it(`holds a live task, its writ and its indexes in at most 1536 B (${TASKS} tasks)`, async () => {
    const server = await servers.start(['--save', '', '--appendonly', 'no']);
    const admin = await servers.connectAdmin(server.url);
    const { store, clock } = servers.openStore(server.url, { auditMaxLen: 1 });
    await store.init();
    const first = buildCommit(clock, spiffeTask(clock));
    await store.commitIssuance(first);
    const usedMemory = async () => {
      // The audit stream is not part of a task's footprint: measure without it.
      const audit = (await admin.keys('*audit')).at(0);
      if (audit) await admin.del(audit);
      const info = await admin.info('memory');
      return Number(/used_memory:(\d+)/.exec(info)?.[1]);
    };
    const before = await usedMemory();
    for (let n = 0; n < TASKS; n++) {
      const result = await store.commitIssuance(buildCommit(clock, spiffeTask(clock)));
      expect(result).toEqual({ ok: true });
    }
    const perTask = ((await usedMemory()) - before) / TASKS;
    const perKey: Record<string, number | null> = {};
    for (const key of await admin.keys(`*${first.task.id}*`)) {
      perKey[key.replace(first.task.id, '<task>')] = Number(await admin.memory('USAGE', key));
    }
    for (const key of await admin.keys(`*${first.writ.jti}*`)) {
      perKey[key.replace(first.writ.jti, '<jti>')] = Number(await admin.memory('USAGE', key));
    }
    console.log(`bytes per live task: ${perTask.toFixed(0)}`, perKey);
    expect(perTask).toBeLessThanOrEqual(1536);
  });
});
