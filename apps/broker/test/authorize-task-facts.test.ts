import { afterEach, describe, expect, it } from 'vitest';
import type { WritStore } from '../src/store/index.js';
import { AGENT, authorize, eventsSince } from './authorize-fixtures.js';
import { revokeTask, startWrit, taskIdOf } from './support/fixtures.js';
import { createTestBroker, type TestBroker } from './support/test-broker.js';

describe.each(['redis', 'memory'] as const)('/v1/authorize reads a live task once (%s)', (store) => {
  let t: TestBroker;
  let taskReads = 0;
  const counting = (inner: WritStore): WritStore =>
    Object.assign(Object.create(inner) as WritStore, {
      getTask: (id: string) => {
        taskReads++;
        return inner.getTask(id);
      },
    });
  afterEach(async () => t.close());

  it('a repeated call skips the task read; liveness is still checked every call', async () => {
    taskReads = 0;
    t = await createTestBroker({ store, wrapStore: counting });
    const writ = await startWrit(t, { plan: { tools: ['jira.read'] }, sub: AGENT });
    const readsAfterStart = taskReads;
    for (let i = 0; i < 3; i++) {
      const res = await authorize(t, { writ, tool: 'jira.read' });
      expect(res.status).toBe(200);
    }
    expect(taskReads - readsAfterStart).toBe(1);

    await revokeTask(t, taskIdOf(writ));
    const before = (await t.auditEvents()).length;
    // The cached task is dead: the atomic step refuses it and the cache forgets it.
    const first = await authorize(t, { writ, tool: 'jira.read' });
    expect(first.status).toBe(401);
    const dead = {
      error: 'invalid_token',
      error_description: 'the writ is no longer live: its task was revoked',
      reason: 'task_revoked',
    };
    expect(await first.json()).toEqual(dead);
    // (one read, to say how the task ended)
    expect(taskReads - readsAfterStart).toBe(2);
    // Then the task is read again and the refusal is the budgeted one, before the atomic step.
    const second = await authorize(t, { writ, tool: 'jira.read' });
    expect(second.status).toBe(401);
    expect(await second.json()).toEqual(dead);
    expect(taskReads - readsAfterStart).toBe(4);
    const events = await eventsSince(t, before);
    expect(events.map((e) => [e.type, e.reasons])).toEqual([
      ['action.denied', ['task_not_live']],
      ['action.denied', ['task_not_live']],
    ]);
  });
});
