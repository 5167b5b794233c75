import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AGENT, eventsSince, introspect } from '../authorize-fixtures.js';
import {
  createTestOperatorKey,
  delegateWrit,
  revokeTask,
  startWrit,
  taskIdOf,
  worker,
} from '../support/fixtures.js';
import { runOperatorRouteSecurityTests } from '../support/operator-route-security.js';
import { createTestBroker, formRequest, type TestBroker } from '../support/test-broker.js';
import { decodePayload } from '../support/tokens.js';

const PLAN = {
  tools: ['jira.read', 'jira.write'],
  resources: ['jira:OPS'],
  data_classes: ['internal'],
  budget: { total: 7 },
};
const keyIdOf = (key: string) => key.slice('writ_'.length, 'writ_'.length + 16);

describe.each(['redis', 'memory'] as const)('POST /oauth2/introspect (%s)', (store) => {
  let t: TestBroker;
  let key: string;
  beforeEach(async () => {
    t = await createTestBroker({ store });
    key = (await createTestOperatorKey(t, ['introspect'])).key;
  });
  afterEach(async () => t.close());

  it('answers an active writ with its claims (RFC 7662 §2.2) and audits the call', async () => {
    const writ = await startWrit(t, { plan: PLAN, sub: AGENT });
    const claims = decodePayload(writ);
    const before = (await t.auditEvents()).length;
    const res = await introspect(t, key, writ, { token_type_hint: 'access_token' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({
      active: true,
      iss: claims.iss,
      sub: AGENT,
      client_id: AGENT,
      aud: claims.aud,
      iat: claims.iat,
      nbf: claims.nbf,
      exp: claims.exp,
      jti: claims.jti,
      scope: 'tool:jira.read tool:jira.write',
      token_type: 'Bearer',
      gen: claims.gen,
      task: claims.task,
      authorization_details: claims.authorization_details,
    });
    const events = await eventsSince(t, before);
    expect(events).toEqual([
      {
        type: 'writ.introspected',
        time: t.clock.nowMs(),
        request_id: expect.any(String),
        decision: 'info',
        reasons: [],
        operator_key_id: keyIdOf(key),
        principal: AGENT,
        task_id: taskIdOf(writ),
        jti: claims.jti,
        audience: claims.aud,
        detail: { active: true },
      },
    ]);
  });

  it('includes the act chain of a delegated writ; an admin key may introspect too', async () => {
    const root = await startWrit(t, { plan: PLAN, sub: AGENT });
    const child = await delegateWrit(t, root, worker(1), { form: { scope: 'tool:jira.read' } });
    const res = await introspect(t, key, child);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      active: true,
      client_id: worker(1),
      act: { sub: worker(1) },
      task: { parent: taskIdOf(root), chain: [taskIdOf(root)] },
    });
    const admin = (await createTestOperatorKey(t, ['admin'])).key;
    expect(await (await introspect(t, admin, child)).json()).toEqual(body);
  });

  it.each([
    ['garbage', async () => 'not-a-writ', ['writ:malformed']],
    ['an identity token', async (tb: TestBroker) => tb.issuer.svid(AGENT), ['writ:bad_signature']],
  ] as const)('answers only {active:false} for %s', async (_name, make, reasons) => {
    const before = (await t.auditEvents()).length;
    const res = await introspect(t, key, await make(t));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ active: false });
    expect(await eventsSince(t, before)).toMatchObject([
      { type: 'writ.introspected', reasons, operator_key_id: keyIdOf(key), detail: { active: false } },
    ]);
  });

  it('answers only {active:false} for a revoked and an expired writ', async () => {
    const writ = await startWrit(t, { plan: PLAN, sub: AGENT });
    const other = await startWrit(t, { plan: PLAN, sub: AGENT });
    await revokeTask(t, taskIdOf(writ));
    const before = (await t.auditEvents()).length;
    expect(await (await introspect(t, key, writ)).json()).toEqual({ active: false });
    expect(await eventsSince(t, before)).toMatchObject([
      { reasons: ['task_not_live'], jti: decodePayload(writ).jti, detail: { active: false } },
    ]);
    t.clock.advance(((decodePayload(other).exp as number) + 10) * 1000 - t.clock.nowMs());
    expect(await (await introspect(t, key, other)).json()).toEqual({ active: false });
  });

  it('requires an operator key with the introspect role', async () => {
    const writ = await startWrit(t, { plan: PLAN, sub: AGENT });
    const none = await t.app.request('/oauth2/introspect', formRequest({ token: writ }));
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: 'invalid_token' });
    const bad = await introspect(t, `writ_${'a'.repeat(16)}_${'b'.repeat(43)}`, writ);
    expect(bad.status).toBe(401);
    const reader = (await createTestOperatorKey(t, ['read'])).key;
    const wrongRole = await introspect(t, reader, writ);
    expect(wrongRole.status).toBe(403);
    expect(await wrongRole.json()).toMatchObject({ error: 'insufficient_scope' });
    // A writ is not an operator credential.
    const asKey = await introspect(t, writ, writ);
    expect(asKey.status).toBe(401);
  });

  it.each([
    ['no token', {}],
    ['an empty token', { token: '' }],
    ['a repeated token', { token: ['a', 'b'] }],
  ])('refuses %s with 400 invalid_request', async (_name, form) => {
    const init = formRequest(form as Record<string, string | string[]>);
    const res = await t.app.request('/oauth2/introspect', {
      ...init,
      headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${key}` },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('refuses a JSON body with 400 invalid_request', async () => {
    const res = await t.app.request('/oauth2/introspect', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ token: 'x' }),
    });
    expect(res.status).toBe(400);
  });
});

runOperatorRouteSecurityTests({
  method: 'POST',
  route: '/oauth2/introspect',
  body: async (t) => ({ form: { token: await startWrit(t) } }),
  allowedRoles: ['introspect', 'admin'],
  refusedRoles: ['read', 'revoke', 'feed'],
});
