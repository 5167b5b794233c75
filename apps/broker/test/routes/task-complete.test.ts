import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorOf, postRevocation, reExchangeStatus, writChain } from '../revocation-helpers.js';
import {
  createTestOperatorKey,
  delegateWrit,
  jtiOf,
  startWrit,
  taskIdOf,
  worker,
} from '../support/fixtures.js';
import { createTestBroker, type TestBroker } from '../support/test-broker.js';

describe.each(['memory', 'redis'] as const)('POST /v1/tasks/{id}/complete (%s)', (store) => {
  let t: TestBroker;
  beforeEach(async () => {
    t = await createTestBroker({ store });
  });
  afterEach(async () => t.close());

  const complete = (taskId: string, authorization?: string) =>
    Promise.resolve(
      t.app.request(`/v1/tasks/${encodeURIComponent(taskId)}/complete`, {
        method: 'POST',
        headers: authorization === undefined ? {} : { authorization },
      }),
    );
  const feed = async () => (await t.store.readRevocations('0-0', 100)).entries;

  it('completes the task with one of its writs; every descendant dies with it', async () => {
    const chain = await writChain(t);
    const [root, , , leaf] = chain as [string, string, string, string];
    const rootId = taskIdOf(root);

    const res = await complete(rootId, `Bearer ${root}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ task_id: rootId, status: 'completed' });
    expect(await t.store.getTask(rootId)).toMatchObject({ status: 'completed' });
    // The delegated children were never touched: their own task.chain names the completed root.
    expect(await reExchangeStatus(t, leaf)).toBe(400);
    for (const writ of chain) expect(await reExchangeStatus(t, writ)).toBe(400);

    expect(await feed()).toEqual([
      expect.objectContaining({
        target: { kind: 'task', task_id: rootId },
        status: 'completed',
        reason: 'completed',
      }),
    ]);
    expect((await t.auditEvents()).filter((e) => e.type === 'task.completed')).toEqual([
      expect.objectContaining({
        decision: 'info',
        reasons: ['completed'],
        task_id: rootId,
        jti: jtiOf(root),
        principal: 'spiffe://test.example/agents/orchestrator',
      }),
    ]);
  });

  it('a delegated child is refused at /oauth2/token after its parent completes', async () => {
    const parent = await startWrit(t);
    const child = await delegateWrit(t, parent, worker(1), { tools: ['a.read'] });
    expect(await reExchangeStatus(t, child)).toBe(200);
    expect((await complete(taskIdOf(parent), `Bearer ${parent}`)).status).toBe(200);
    const res = await t.exchange({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      subject_token: child,
    });
    expect(await errorOf(res)).toMatchObject({ status: 400, error: 'invalid_request' });
  });

  it('completing a child leaves its parent live', async () => {
    const parent = await startWrit(t);
    const child = await delegateWrit(t, parent, worker(1), { tools: ['a.read'] });
    expect(await (await complete(taskIdOf(child), `Bearer ${child}`)).json()).toEqual({
      task_id: taskIdOf(child),
      status: 'completed',
    });
    expect(await reExchangeStatus(t, child)).toBe(400);
    expect(await reExchangeStatus(t, parent)).toBe(200);
  });

  it('is idempotent: completing again answers the same 200 and writes no new feed entry', async () => {
    const writ = await startWrit(t);
    const id = taskIdOf(writ);
    expect((await complete(id, `Bearer ${writ}`)).status).toBe(200);
    const again = await complete(id, `bearer ${writ}`);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ task_id: id, status: 'completed' });
    expect(await feed()).toHaveLength(1);
  });

  it('reports how the task ended when an operator revoked it first', async () => {
    const writ = await startWrit(t);
    const { key } = await createTestOperatorKey(t, ['revoke']);
    expect((await postRevocation(t.app, key, { task: taskIdOf(writ) })).status).toBe(200);
    expect(await (await complete(taskIdOf(writ), `Bearer ${writ}`)).json()).toEqual({
      task_id: taskIdOf(writ),
      status: 'revoked',
    });
    expect(await feed()).toHaveLength(1);
  });

  it.each([
    ['no Authorization header', undefined],
    ['another scheme', 'Basic d3JpdDp3cml0'],
    ['garbage', 'Bearer not-a-writ'],
  ])('answers 401 invalid_token for %s, writing nothing', async (_name, authorization) => {
    const writ = await startWrit(t);
    const before = await t.snapshot();
    const res = await complete(taskIdOf(writ), authorization);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect((await errorOf(res)).error).toBe('invalid_token');
    expect(await t.snapshot()).toEqual(before);
  });

  it('answers 401 for a workload identity token, a tampered writ and an expired writ', async () => {
    const writ = await startWrit(t);
    const id = taskIdOf(writ);
    const svid = await t.issuer.svid('spiffe://test.example/agents/orchestrator');
    const [h, p, s] = writ.split('.') as [string, string, string];
    const tampered = `${h}.${p}.${s.slice(0, -2)}${s.endsWith('AA') ? 'BB' : 'AA'}`;
    for (const token of [svid, tampered]) {
      expect((await errorOf(await complete(id, `Bearer ${token}`))).status).toBe(401);
    }
    t.clock.advance(3600_000);
    expect(await errorOf(await complete(id, `Bearer ${writ}`))).toMatchObject({
      status: 401,
      error: 'invalid_token',
    });
    expect(await feed()).toEqual([]);
  });

  it('answers 403 insufficient_scope for a valid writ of another task, and the task stays live', async () => {
    const mine = await startWrit(t);
    const theirs = await startWrit(t, { sub: 'spiffe://test.example/agents/other' });
    const res = await complete(taskIdOf(theirs), `Bearer ${mine}`);
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope"');
    expect((await errorOf(res)).error).toBe('insufficient_scope');
    expect(await t.store.getTask(taskIdOf(theirs))).toMatchObject({ status: 'live' });
    expect(await feed()).toEqual([]);
    expect((await t.auditEvents()).at(-1)).toMatchObject({
      type: 'revocation.denied',
      decision: 'deny',
      reasons: ['wrong_task'],
      task_id: taskIdOf(mine),
      detail: { requested_task: taskIdOf(theirs) },
    });
  });

  it('refuses a writ revoked in its own right (by jti): 401, and the task stays live', async () => {
    const writ = await startWrit(t);
    const { key } = await createTestOperatorKey(t, ['revoke']);
    expect((await postRevocation(t.app, key, { jti: jtiOf(writ) })).status).toBe(200);
    const res = await complete(taskIdOf(writ), `Bearer ${writ}`);
    expect(await errorOf(res)).toMatchObject({ status: 401, error: 'invalid_token' });
    expect(await t.store.getTask(taskIdOf(writ))).toMatchObject({ status: 'live' });
    expect((await t.auditEvents()).at(-1)).toMatchObject({
      type: 'revocation.denied',
      reasons: ['writ_revoked'],
    });
  });
});
