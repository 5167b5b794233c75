import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { get, json } from './operator-reads-fixtures.js';
import { createTestOperatorKey, ORCHESTRATOR, scopeOf, worker } from './support/fixtures.js';
import { createTestBroker, formRequest, type TestBroker } from './support/test-broker.js';
import { acceptForm, decodePayload, handoffForm, startForm, writForm } from './support/tokens.js';

type Event = Record<string, unknown> & { id: string; type: string; request_id: string };

const keyIdOf = (key: string) => key.slice('writ_'.length, 'writ_'.length + 16);

describe('audit trail: start → delegate → narrow → act → revoke → denied re-exchange (redis)', () => {
  let t: TestBroker;
  let secrets: string[];
  beforeEach(async () => {
    secrets = [];
    t = await createTestBroker({ store: 'redis' });
  });
  afterEach(async () => t.close());

  async function key(roles: Parameters<typeof createTestOperatorKey>[1]) {
    const k = (await createTestOperatorKey(t, roles)).key;
    secrets.push(k);
    return k;
  }

  /** Sends one request, remembers every credential it carried or got back, returns body and request id. */
  async function call(path: string, init: RequestInit, status: number, carried: string[]) {
    secrets.push(...carried);
    const res = await t.app.request(path, init);
    const body = await json<{ access_token?: string; error?: string }>(res, status);
    if (body.access_token) secrets.push(body.access_token);
    return { body, requestId: res.headers.get('x-request-id') as string };
  }
  const exchange = (form: Record<string, string>, status = 200) =>
    call('/oauth2/token', formRequest(form), status, [form.subject_token ?? '', form.actor_token ?? '']);

  async function runFlow() {
    const introspector = await key(['introspect']);
    const revoker = await key(['revoke']);
    const start = await exchange(
      startForm(await t.issuer.svid(ORCHESTRATOR), { scope: scopeOf(['a.read', 'b.read']) }),
    );
    const root = start.body.access_token as string;
    const handoff = await exchange(handoffForm(root, worker(1), { scope: scopeOf(['a.read', 'b.read']) }));
    const delegate = await exchange(
      acceptForm(handoff.body.access_token as string, await t.issuer.svid(worker(1))),
    );
    const child = delegate.body.access_token as string;
    const narrow = await exchange(writForm(child, { scope: scopeOf(['a.read']) }));
    const narrowed = narrow.body.access_token as string;
    const act = await call(
      '/v1/authorize',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ writ: narrowed, tool: 'a.read' }),
      },
      200,
      [],
    );
    const introspect = await call(
      '/oauth2/introspect',
      {
        ...formRequest({ token: narrowed }),
        headers: { ...formRequest({}).headers, authorization: `Bearer ${introspector}` },
      },
      200,
      [],
    );
    const rootTask = (decodePayload(root).task as { id: string }).id;
    const revoke = await call(
      '/v1/revocations',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${revoker}` },
        body: JSON.stringify({ task: rootTask, reason: 'incident 42' }),
      },
      200,
      [],
    );
    const denied = await exchange(writForm(child), 400);
    expect(denied.body.error).toBe('invalid_request');
    return {
      root,
      child,
      narrowed,
      rootTask,
      start,
      handoff,
      delegate,
      narrow,
      act,
      introspect,
      revoke,
      denied,
      introspector,
      revoker,
    };
  }

  it('GET /v1/audit returns each step with who, what, decision, reasons, task, jti, request id and time', async () => {
    const reader = await key(['read']);
    const flow = await runFlow();
    const childClaims = decodePayload(flow.child);
    const childTask = (childClaims.task as { id: string }).id;
    const narrowedJti = decodePayload(flow.narrowed).jti;

    const body = await json<{ events: Event[] }>(await get(t, '/v1/audit?limit=100', reader));
    const byRequest = (requestId: string) => body.events.filter((e) => e.request_id === requestId);
    const time = t.clock.nowMs();
    const child = { principal: ORCHESTRATOR, actor_chain: [worker(1)], task_id: childTask };

    expect(byRequest(flow.start.requestId)).toEqual([
      {
        id: expect.any(String),
        type: 'task.started',
        time,
        request_id: flow.start.requestId,
        decision: 'allow',
        reasons: [],
        principal: ORCHESTRATOR,
        task_id: flow.rootTask,
        jti: decodePayload(flow.root).jti,
        audience: 'https://api.test.example',
        detail: { tools: 2, expires_in: t.config.tokens.default_ttl_seconds },
      },
    ]);
    expect(byRequest(flow.handoff.requestId)).toEqual([
      {
        id: expect.any(String),
        type: 'handoff.issued',
        time,
        request_id: flow.handoff.requestId,
        decision: 'allow',
        reasons: [],
        principal: ORCHESTRATOR,
        actor_chain: [worker(1)],
        task_id: flow.rootTask,
        jti: decodePayload(flow.handoff.body.access_token as string).jti,
        audience: 'https://api.test.example',
        detail: { tools: 2, expires_in: 60, parent_jti: decodePayload(flow.root).jti },
      },
    ]);
    expect(byRequest(flow.delegate.requestId)).toEqual([
      expect.objectContaining({
        ...child,
        type: 'task.delegated',
        time,
        decision: 'allow',
        reasons: [],
        jti: childClaims.jti,
      }),
    ]);
    expect(byRequest(flow.narrow.requestId)).toEqual([
      expect.objectContaining({ ...child, type: 'writ.issued', time, decision: 'allow', jti: narrowedJti }),
    ]);
    expect(byRequest(flow.act.requestId)).toEqual([
      expect.objectContaining({
        ...child,
        type: 'action.allowed',
        decision: 'allow',
        reasons: [],
        jti: narrowedJti,
        detail: { tool: 'a.read' },
      }),
    ]);
    expect(byRequest(flow.introspect.requestId)).toEqual([
      expect.objectContaining({
        ...child,
        type: 'writ.introspected',
        operator_key_id: keyIdOf(flow.introspector),
        jti: narrowedJti,
      }),
    ]);
    expect(byRequest(flow.revoke.requestId)).toEqual([
      expect.objectContaining({
        type: 'task.revoked',
        time,
        decision: 'info',
        reasons: ['incident 42'],
        operator_key_id: keyIdOf(flow.revoker),
        task_id: flow.rootTask,
      }),
    ]);
    expect(byRequest(flow.denied.requestId)).toEqual([
      expect.objectContaining({
        principal: ORCHESTRATOR,
        type: 'exchange.denied',
        time,
        decision: 'deny',
        reasons: ['ancestor_not_live'],
        task_id: childTask,
        jti: childClaims.jti,
      }),
    ]);
    // Newest first, and exactly what the store holds.
    const stored = await t.auditEvents();
    expect(body.events.map((e) => e.type)).toEqual(stored.map((e) => e.type).reverse());
  });

  it('logs every stream event as a named pino event; no log line or audit entry holds a credential', async () => {
    const reader = await key(['read']);
    const flow = await runFlow();
    // A wrong secret for a real key id: audited with the id and the request, never the secret.
    const wrong = `${reader.slice(0, 'writ_'.length + 17)}${'B'.repeat(43)}`;
    secrets.push(wrong);
    const failed = await get(t, '/v1/tasks', wrong);
    expect(failed.status).toBe(401);
    const reads = await Promise.all([
      get(t, '/v1/audit?limit=100', reader).then((r) => r.text()),
      get(t, `/v1/tasks/${flow.rootTask}`, reader).then((r) => r.text()),
    ]);

    const lines = t.logs.map((line) => JSON.parse(line) as { msg?: string; audit?: Event });
    const stored = (await t.auditEvents()) as Event[];
    const named = stored.filter((e) => e.request_id !== 'test-setup');
    expect(named.map((e) => e.type)).toEqual([
      'task.started',
      'handoff.issued',
      'task.delegated',
      'writ.issued',
      'action.allowed',
      'writ.introspected',
      'task.revoked',
      'exchange.denied',
      'operator.auth_failed',
    ]);
    for (const event of named) {
      expect(lines).toContainEqual(
        expect.objectContaining({
          msg: event.type,
          audit: expect.objectContaining({ request_id: event.request_id }),
        }),
      );
    }

    const haystacks = { logs: t.logs.join('\n'), stream: JSON.stringify(stored), reads: reads.join('\n') };
    const needles = secrets
      .filter((s) => s !== '')
      .flatMap((s) => (s.startsWith('writ_') ? [s, s.slice(-43)] : [s, s.split('.')[2] as string]));
    expect(needles.length).toBeGreaterThanOrEqual(20);
    for (const [where, text] of Object.entries(haystacks)) {
      for (const needle of needles) {
        expect({ where, found: text.includes(needle) }).toEqual({ where, found: false });
      }
    }
    // require-operator must hand the request id to the authenticator for this to hold.
    expect(stored.find((e) => e.type === 'operator.auth_failed')).toMatchObject({
      operator_key_id: keyIdOf(reader),
      reasons: ['wrong_secret'],
      request_id: failed.headers.get('x-request-id'),
    });
  });
});
