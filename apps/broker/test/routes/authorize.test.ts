import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AGENT, authorize, bodyOf, eventsSince, GREEDY } from '../authorize-fixtures.js';
import { delegateWrit, startWrit, taskIdOf, worker } from '../support/fixtures.js';
import { API_AUDIENCE, createTestBroker, type TestBroker } from '../support/test-broker.js';
import { decodePayload } from '../support/tokens.js';

const PLAN = {
  tools: ['jira.read', 'jira.write', 'db.drop'],
  resources: ['jira:OPS', 'jira:SEC'],
  data_classes: ['public', 'internal'],
};

describe.each(['redis', 'memory'] as const)('POST /v1/authorize (%s)', (store) => {
  let t: TestBroker;
  beforeEach(async () => {
    t = await createTestBroker({ store });
  });
  afterEach(async () => t.close());

  async function expectOneEvent(before: number, expected: Record<string, unknown>) {
    const events = await eventsSince(t, before);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject(expected);
    return events[0];
  }

  it('allows an action inside the plan, takes budget, and records one action.allowed event', async () => {
    const writ = await startWrit(t, {
      plan: { ...PLAN, budget: { total: 5, per_tool: { 'jira.read': 2 } } },
      sub: AGENT,
    });
    const claims = decodePayload(writ);
    const before = (await t.auditEvents()).length;
    const res = await authorize(t, {
      writ,
      tool: 'jira.read',
      resource: 'jira:OPS',
      data_class: 'internal',
      audience: API_AUDIENCE,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ decision: 'allow', reasons: [], budget_left: { total: 4, tool: 1 } });
    const event = await expectOneEvent(before, {
      type: 'action.allowed',
      decision: 'allow',
      reasons: [],
      principal: AGENT,
      task_id: taskIdOf(writ),
      jti: claims.jti,
      audience: API_AUDIENCE,
      detail: { tool: 'jira.read', resource: 'jira:OPS', data_class: 'internal' },
    });
    expect(JSON.stringify(event)).not.toContain(writ.split('.')[2]);
    expect(await t.store.getTaskUsage(taskIdOf(writ))).toEqual({ total: 1, per_tool: { 'jira.read': 1 } });
  });

  it('answers budget_left {} for a task without budgets', async () => {
    const writ = await startWrit(t, { plan: PLAN, sub: AGENT });
    const res = await authorize(t, { writ, tool: 'jira.write' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ decision: 'allow', reasons: [], budget_left: {} });
  });

  it.each([
    [{ tool: 'slack.post' }, ['tool_not_in_plan']],
    [{ tool: 'jira.read', resource: 'jira:HR' }, ['resource_not_in_plan']],
    [
      { tool: 'jira.read', data_class: 'confidential' },
      ['data_class_not_in_plan', 'data_class_exceeds_task'],
    ],
    [{ tool: 'slack.post', resource: 'jira:HR' }, ['tool_not_in_plan', 'resource_not_in_plan']],
  ])('denies %j outside the plan with reasons %j, one event, no quarantine', async (action, reasons) => {
    const writ = await startWrit(t, { plan: { ...PLAN, budget: { total: 5 } }, sub: AGENT });
    const before = (await t.auditEvents()).length;
    const res = await authorize(t, { writ, ...action });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      error: 'access_denied',
      error_description: `the writ does not allow this action (${reasons.join(', ')})`,
      decision: 'deny',
      reasons,
    });
    await expectOneEvent(before, {
      type: 'action.denied',
      decision: 'deny',
      reasons,
      jti: decodePayload(writ).jti,
    });
    expect(await t.store.getTaskUsage(taskIdOf(writ))).toEqual({ total: 0, per_tool: {} });
    expect((await t.store.getTask(taskIdOf(writ)))?.status).toBe('live');
    expect((await authorize(t, { writ, tool: 'jira.read' })).status).toBe(200);
  });

  it('denies a tool Cedar forbids for call_tool even though the plan names it', async () => {
    const writ = await startWrit(t, { plan: PLAN, sub: AGENT });
    const before = (await t.auditEvents()).length;
    const res = await authorize(t, { writ, tool: 'db.drop' });
    expect(res.status).toBe(403);
    expect((await bodyOf(res)).reasons).toEqual(['policy:no-call-db-drop']);
    await expectOneEvent(before, { type: 'action.denied', reasons: ['policy:no-call-db-drop'] });
  });

  it('denies by default when no policy permits call_tool', async () => {
    const writ = await startWrit(t, { plan: PLAN, sub: AGENT });
    const other = await createTestBroker({
      store,
      policies: 'permit (principal, action == Writ::Action::"start_task", resource);',
    });
    try {
      const own = await startWrit(other, { plan: PLAN, sub: AGENT });
      const res = await authorize(other, { writ: own, tool: 'jira.read' });
      expect(res.status).toBe(403);
      expect((await bodyOf(res)).reasons).toEqual(['policy:default_deny']);
      // A writ from another broker's key is not a writ here.
      expect((await authorize(other, { writ, tool: 'jira.read' })).status).toBe(401);
    } finally {
      await other.close();
    }
  });

  it('denies a writ presented by a downstream that is not its audience', async () => {
    const writ = await startWrit(t, { plan: PLAN, sub: AGENT });
    const before = (await t.auditEvents()).length;
    const res = await authorize(t, { writ, tool: 'jira.read', audience: 'https://other.test.example' });
    expect(res.status).toBe(403);
    expect((await bodyOf(res)).reasons).toEqual(['audience_mismatch']);
    await expectOneEvent(before, { type: 'action.denied', reasons: ['audience_mismatch'] });
  });

  it('an action that omits data_class, or states a lower one, is no plan violation (no quarantine)', async () => {
    const writ = await startWrit(t, {
      plan: { tools: ['jira.read'], data_classes: ['internal'] },
      sub: GREEDY,
    });
    for (const body of [{}, { data_class: 'public' }, { data_class: 'internal' }]) {
      const res = await authorize(t, { writ, tool: 'jira.read', ...body });
      expect(res.status).toBe(200);
      expect(await bodyOf(res)).toMatchObject({ decision: 'allow', reasons: [] });
    }
    const res = await authorize(t, { writ, tool: 'jira.read', data_class: 'confidential' });
    expect(res.status).toBe(403);
    expect((await bodyOf(res)).reasons).toEqual([
      'data_class_not_in_plan',
      'data_class_exceeds_task',
      'task_quarantined',
    ]);
  });

  it('quarantines the task of a policy-quarantined principal on a plan violation; its writs die', async () => {
    const writ = await startWrit(t, { plan: PLAN, sub: GREEDY });
    const child = await delegateWrit(t, writ, worker(1), { form: { scope: 'tool:jira.read' } });
    const taskId = taskIdOf(writ);
    const before = (await t.auditEvents()).length;
    const res = await authorize(t, { writ, tool: 'slack.post' });
    expect(res.status).toBe(403);
    const body = await bodyOf(res);
    expect(body.reasons).toEqual(['tool_not_in_plan', 'task_quarantined']);
    expect(body.error_description).toMatch(
      /^the action is outside the writ's plan and its task has been quarantined/,
    );
    const events = await eventsSince(t, before);
    expect(events.map((e) => e.type).sort()).toEqual(['action.denied', 'task.quarantined']);
    expect(events.find((e) => e.type === 'task.quarantined')).toMatchObject({
      task_id: taskId,
      reasons: ['tool_not_in_plan'],
    });
    expect((await t.store.getTask(taskId))?.status).toBe('quarantined');
    const snapshot = await t.store.revocationSnapshot();
    expect(snapshot.tasks.map((x) => x.task_id)).toContain(taskId);

    for (const [dead, reason] of [
      [writ, 'task_not_live'],
      [child, 'ancestor_not_live'],
    ] as const) {
      const mark = (await t.auditEvents()).length;
      const later = await authorize(t, { writ: dead, tool: 'jira.read' });
      expect(later.status).toBe(401);
      expect(later.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
      // The agent learns why: its task (or the ancestor whose death killed it) was quarantined.
      expect(await later.json()).toEqual({
        error: 'invalid_token',
        error_description: 'the writ is no longer live: its task was quarantined',
        reason: 'task_quarantined',
      });
      expect(await eventsSince(t, mark)).toMatchObject([
        { type: 'action.denied', decision: 'deny', reasons: [reason] },
      ]);
    }
    // A second violation by the dead writ is a 401 and quarantines nothing again.
    const mark = (await t.auditEvents()).length;
    expect((await authorize(t, { writ, tool: 'slack.post' })).status).toBe(401);
    expect(await eventsSince(t, mark)).toHaveLength(1);
  });

  it('enforces per-tool and total budgets, also across a delegated child', async () => {
    const writ = await startWrit(t, {
      plan: { ...PLAN, budget: { total: 3, per_tool: { 'jira.read': 2 } } },
      sub: AGENT,
    });
    const child = await delegateWrit(t, writ, worker(1), {
      form: { scope: 'tool:jira.read tool:jira.write' },
    });
    const results: Array<[number, unknown]> = [];
    for (const [w, tool] of [
      [writ, 'jira.read'],
      [child, 'jira.read'],
      [child, 'jira.read'],
      [writ, 'jira.write'],
      [child, 'jira.write'],
    ] as const) {
      const res = await authorize(t, { writ: w, tool });
      results.push([res.status, await res.json()]);
    }
    const taskId = taskIdOf(writ);
    expect(results[0]).toEqual([200, { decision: 'allow', reasons: [], budget_left: { total: 2, tool: 1 } }]);
    expect(results[1]).toEqual([200, { decision: 'allow', reasons: [], budget_left: { total: 1, tool: 0 } }]);
    expect(results[2]?.[0]).toBe(403);
    expect(results[2]?.[1]).toMatchObject({
      decision: 'deny',
      reasons: [`budget_exhausted:tool:jira.read:${taskId}`],
      budget_left: { total: 1, tool: 0 },
    });
    expect(results[3]).toEqual([200, { decision: 'allow', reasons: [], budget_left: { total: 0 } }]);
    expect(results[4]?.[0]).toBe(403);
    expect(results[4]?.[1]).toMatchObject({
      reasons: [`budget_exhausted:total:${taskId}`],
      budget_left: { total: 0 },
    });
    const events = (await t.auditEvents()).filter((e) => String(e.type).startsWith('action.'));
    expect(events.map((e) => e.decision)).toEqual(['allow', 'allow', 'deny', 'allow', 'deny']);
  });

  it.each([
    ['no content type', { body: '{}' }],
    ['text body', { headers: { 'content-type': 'text/plain' }, body: '{}' }],
    ['bad JSON', { headers: { 'content-type': 'application/json' }, body: '{"writ":' }],
  ])('refuses a malformed request (%s) with 400 and writes nothing', async (_name, init) => {
    const before = await t.snapshot();
    const res = await t.app.request('/v1/authorize', { method: 'POST', ...init });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request' });
    expect(await t.snapshot()).toEqual(before);
  });

  it.each([
    { tool: 'jira.read' },
    { writ: 'x', tool: 'tool:*' },
    { writ: 'x', tool: 'jira.read', resource: 'jira OPS' },
    { writ: 'x', tool: 'jira.read', data_class: 'secret' },
    { writ: 'x', tool: 'jira.read', extra: 1 },
    { writ: 'x'.repeat(16 * 1024 + 1), tool: 'jira.read' },
    { writ: 1, tool: 'jira.read' },
    [],
  ])('refuses invalid input %# with 400 invalid_request and writes nothing', async (body) => {
    const before = await t.snapshot();
    const res = await authorize(t, body as Record<string, unknown>);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request' });
    expect(await t.snapshot()).toEqual(before);
  });
});
