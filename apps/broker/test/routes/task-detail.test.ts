import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { get, json } from '../operator-reads-fixtures.js';
import {
  createTestOperatorKey,
  delegateWrit,
  jtiOf,
  ORCHESTRATOR,
  revokeTask,
  scopeOf,
  startWrit,
  taskIdOf,
  worker,
} from '../support/fixtures.js';
import { runOperatorRouteSecurityTests } from '../support/operator-route-security.js';
import { API_AUDIENCE, createTestBroker, type TestBroker } from '../support/test-broker.js';
import { decodePayload, writForm } from '../support/tokens.js';

const BUDGET_DETAILS = JSON.stringify([
  {
    type: 'agent_task',
    tools: ['a.read', 'b.read'],
    intent: 'triage',
    budget: { total: 10, per_tool: { 'a.read': 5 } },
    ttl: 600,
  },
]);

interface TreeNode {
  id: string;
  status: string;
  principal: string;
  client_id: string;
  children: TreeNode[];
}

describe.each(['redis', 'memory'] as const)('GET /v1/tasks/{id} (%s)', (store) => {
  let t: TestBroker;
  let reader: string;
  beforeEach(async () => {
    t = await createTestBroker({ store });
    reader = (await createTestOperatorKey(t, ['read'])).key;
  });
  afterEach(async () => t.close());

  async function takeBudget(writ: string, tool: string) {
    const claims = decodePayload(writ);
    const task = claims.task as { id: string; chain: string[] };
    return t.store.authorizeAction({
      jti: claims.jti as string,
      task_id: task.id,
      chain: task.chain,
      gen: claims.gen as number,
      principals: [claims.sub as string, claims.client_id as string],
      issuers: ['spiffe:test.example'],
      tool,
      audit: {
        type: 'action.allowed',
        time: t.clock.nowMs(),
        request_id: 'test',
        decision: 'allow',
        reasons: [],
        task_id: task.id,
        jti: claims.jti as string,
      },
    });
  }

  it('shows plan, writs, a depth-2 delegation tree, budget use and recent audit', async () => {
    const root = await startWrit(t, { form: { scope: '', authorization_details: BUDGET_DETAILS } });
    const rootId = taskIdOf(root);
    t.clock.advance(1000);
    const narrowed = await t.exchange(writForm(root, { scope: scopeOf(['a.read']) }));
    const second = (await json<{ access_token: string }>(narrowed)).access_token;
    const child = await delegateWrit(t, root, worker(1), { form: { scope: scopeOf(['a.read', 'b.read']) } });
    const grandchild = await delegateWrit(t, child, worker(2), { form: { scope: scopeOf(['a.read']) } });
    expect((await takeBudget(root, 'a.read')).decision).toBe('allow');
    expect((await takeBudget(second, 'a.read')).decision).toBe('allow');
    expect((await takeBudget(root, 'b.read')).decision).toBe('allow');
    // A descendant's action is charged to every task on its chain.
    expect((await takeBudget(grandchild, 'a.read')).decision).toBe('allow');

    const view = await json<Record<string, unknown>>(await get(t, `/v1/tasks/${rootId}`, reader));
    expect(view.task).toMatchObject({
      id: rootId,
      chain: [],
      principal: ORCHESTRATOR,
      intent: 'triage',
      status: 'live',
      record_status: 'live',
    });
    expect(view.plan).toEqual({
      tools: ['a.read', 'b.read'],
      resources: [],
      data_classes: ['public'],
      budget: { total: 10, per_tool: { 'a.read': 5 } },
      ttl: 600,
    });
    expect(view.writ_count).toBe(2);
    // Newest first: the narrowed writ was issued a second after the first.
    expect(view.writs).toEqual([
      {
        jti: jtiOf(second),
        audience: API_AUDIENCE,
        tools: ['a.read'],
        issued_at: decodePayload(second).iat,
        expires_at: decodePayload(second).exp,
        actor_chain: [],
      },
      {
        jti: jtiOf(root),
        audience: API_AUDIENCE,
        tools: ['a.read', 'b.read'],
        issued_at: decodePayload(root).iat,
        expires_at: decodePayload(root).exp,
        actor_chain: [],
      },
    ]);
    const leaf: TreeNode = {
      id: taskIdOf(grandchild),
      status: 'live',
      principal: ORCHESTRATOR,
      client_id: worker(2),
      children: [],
    };
    expect(view.delegation_tree).toEqual({
      id: rootId,
      status: 'live',
      principal: ORCHESTRATOR,
      client_id: ORCHESTRATOR,
      children: [
        {
          id: taskIdOf(child),
          status: 'live',
          principal: ORCHESTRATOR,
          client_id: worker(1),
          children: [leaf],
        },
      ],
    });
    expect(view.budget_use).toEqual({ total: 4, per_tool: { 'a.read': 3, 'b.read': 1 } });
    const audit = view.recent_audit as Array<Record<string, unknown>>;
    expect(audit.map((e) => e.type)).toEqual([
      'action.allowed',
      'action.allowed',
      'action.allowed',
      // The root's writ asked for the handoff to worker 1 (its child's own events are its own).
      'handoff.issued',
      'writ.issued',
      'task.started',
    ]);
    for (const event of audit) expect(event).toMatchObject({ task_id: rootId, id: expect.any(String) });
  });

  it('shows a child revoked with its root, and flags a writ revoked by jti', async () => {
    const root = await startWrit(t);
    const child = await delegateWrit(t, root, worker(1), { form: { scope: scopeOf(['a.read']) } });
    const revoked = await t.store.revoke({
      target: { kind: 'writ', jti: jtiOf(child) },
      reason: 'test',
      audit: {
        type: 'writ.revoked',
        time: t.clock.nowMs(),
        request_id: 'test',
        decision: 'info',
        reasons: [],
      },
    });
    expect(revoked).toMatchObject({ changed: true });
    const before = await json<{ writs: Array<{ jti: string; revoked?: boolean }> }>(
      await get(t, `/v1/tasks/${taskIdOf(child)}`, reader),
    );
    expect(before.writs).toEqual([expect.objectContaining({ jti: jtiOf(child), revoked: true })]);

    await revokeTask(t, taskIdOf(root));
    const view = await json<{ task: Record<string, unknown>; delegation_tree: TreeNode }>(
      await get(t, `/v1/tasks/${taskIdOf(child)}`, reader),
    );
    expect(view.task).toMatchObject({ status: 'revoked', record_status: 'live', parent: taskIdOf(root) });
    expect(view.delegation_tree.status).toBe('revoked');
    const rootView = await json<{ delegation_tree: TreeNode }>(
      await get(t, `/v1/tasks/${taskIdOf(root)}`, reader),
    );
    expect(rootView.delegation_tree.children.map((n) => n.status)).toEqual(['revoked']);
  });

  it.each(['AAAAAAAAAAAAAAAAAAAAAA', 'bad%20id', 'x'.repeat(65)])(
    'answers 404 invalid_request "no such task" for %s',
    async (id) => {
      const res = await get(t, `/v1/tasks/${id}`, reader);
      expect(await json(res, 404)).toEqual({ error: 'invalid_request', error_description: 'no such task' });
    },
  );
});

runOperatorRouteSecurityTests({
  method: 'GET',
  route: '/v1/tasks/{id}',
  path: async (t) => `/v1/tasks/${taskIdOf(await startWrit(t))}`,
  allowedRoles: ['read', 'admin'],
  refusedRoles: ['introspect', 'revoke', 'feed'],
});
