import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AGENT, authorize, bodyOf, eventsSince } from './authorize-fixtures.js';
import { startWrit, taskIdOf } from './support/fixtures.js';
import { createTestBroker, type TestBroker } from './support/test-broker.js';

describe('POST /v1/authorize — concurrency (redis)', () => {
  let t: TestBroker;
  beforeEach(async () => {
    // This tests atomicity, not latency: a command timeout under a 200-request burst on a busy
    // test machine would be a 503 whose budget unit may or may not have been taken.
    t = await createTestBroker({ store: 'redis', commandTimeoutMs: 5000 });
  });
  afterEach(async () => t.close());

  it('200 concurrent calls against a budget of 50: exactly 50 allowed, exactly one event per call', async () => {
    const writ = await startWrit(t, { plan: { tools: ['jira.read'], budget: { total: 50 } }, sub: AGENT });
    const taskId = taskIdOf(writ);
    const before = (await t.auditEvents()).length;

    const responses = await Promise.all(
      Array.from({ length: 200 }, () => authorize(t, { writ, tool: 'jira.read' })),
    );
    const bodies = await Promise.all(responses.map(bodyOf));
    const allowed = responses.filter((r) => r.status === 200);
    const denied = responses.filter((r) => r.status === 403);
    expect(allowed).toHaveLength(50);
    expect(denied).toHaveLength(150);
    const lefts = bodies.filter((b) => b.decision === 'allow').map((b) => b.budget_left?.total);
    expect(lefts.sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(Array.from({ length: 50 }, (_, i) => i));
    for (const body of bodies.filter((b) => b.decision === 'deny')) {
      expect(body.reasons).toEqual([`budget_exhausted:total:${taskId}`]);
      expect(body.budget_left).toEqual({ total: 0 });
    }

    const events = await eventsSince(t, before);
    expect(events).toHaveLength(200);
    expect(new Set(events.map((e) => e.request_id)).size).toBe(200);
    expect(events.filter((e) => e.type === 'action.allowed' && e.decision === 'allow')).toHaveLength(50);
    expect(events.filter((e) => e.type === 'action.denied' && e.decision === 'deny')).toHaveLength(150);
    expect(await t.store.getTaskUsage(taskId)).toEqual({ total: 50, per_tool: { 'jira.read': 50 } });
  });
});
