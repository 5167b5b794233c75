import { TOKEN_TYPE } from '@writ/claims';
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API_AUDIENCE, BROKER_ISSUER, createTestBroker, type TestBroker } from '../../support/test-broker.js';
import { decodePayload, startForm } from '../../support/tokens.js';

const AGENT = 'spiffe://test.example/agents/triage';

describe.each(['redis', 'memory'] as const)('POST /oauth2/token — start a task (%s store)', (store) => {
  let t: TestBroker;
  beforeEach(async () => {
    t = await createTestBroker({ store });
  });
  afterEach(async () => t.close());

  it('issues a writ with every required claim, one audience, and records task, writ and audit', async () => {
    const res = await t.exchange(startForm(await t.issuer.svid(AGENT)));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-request-id')).toBeTruthy();
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      issued_token_type: TOKEN_TYPE.accessToken,
      token_type: 'Bearer',
      expires_in: 300,
      scope: 'tool:github.issues.create tool:jira.read',
    });
    const jwks = (await (await t.app.request('/.well-known/jwks.json')).json()) as JSONWebKeySet;
    const { payload, protectedHeader } = await jwtVerify(String(body.access_token), createLocalJWKSet(jwks), {
      issuer: BROKER_ISSUER,
      audience: API_AUDIENCE,
      typ: 'at+jwt',
      currentDate: new Date(t.clock.nowMs()),
    });
    expect(protectedHeader.alg).toBe('ES256');
    expect(protectedHeader.kid).toBeTruthy();
    expect(payload.sub).toBe(AGENT);
    expect(payload.client_id).toBe(AGENT);
    expect(payload.aud).toBe(API_AUDIENCE);
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(300);
    expect(String(payload.jti).length).toBeGreaterThanOrEqual(22);
    expect(payload.task).toMatchObject({ chain: [], intent: 'unspecified', data_class: 'public' });
    expect(payload.authorization_details).toEqual([
      {
        type: 'agent_task',
        tools: ['github.issues.create', 'jira.read'],
        resources: [],
        data_classes: ['public'],
      },
    ]);
    expect(payload.act).toBeUndefined();

    const task = await t.store.getTask(String((payload.task as { id: string }).id));
    expect(task).toMatchObject({
      principal: AGENT,
      status: 'live',
      tools: ['github.issues.create', 'jira.read'],
    });
    const events = await t.auditEvents();
    expect(events.map((e) => e.type)).toEqual(['task.started']);
    expect(events[0]).toMatchObject({ decision: 'allow', jti: payload.jti, principal: AGENT });
  });

  it('takes the plan from authorization_details (intent, data classes, resources, budget, ttl)', async () => {
    const details = [
      {
        type: 'agent_task',
        tools: ['jira.read'],
        resources: ['jira:PROJ'],
        data_classes: ['internal', 'confidential'],
        intent: 'triage new bugs',
        budget: { total: 20, per_tool: { 'jira.read': 10 } },
        ttl: 120,
      },
    ];
    const res = await t.exchange(
      startForm(await t.issuer.svid(AGENT), { scope: '', authorization_details: JSON.stringify(details) }),
    );
    expect(res.status).toBe(200);
    const claims = decodePayload(String(((await res.json()) as { access_token: string }).access_token));
    expect(claims.exp as number).toBe((claims.iat as number) + 120);
    expect(claims.task).toMatchObject({
      intent: 'triage new bugs',
      data_class: 'confidential',
      budget: { total: 20, per_tool: { 'jira.read': 10 } },
    });
    expect(claims.scope).toBe('tool:jira.read');
  });

  it('ignores body fields that try to set claims (RFC 6749 §3.2)', async () => {
    const res = await t.exchange(
      startForm(await t.issuer.svid(AGENT), {
        sub: 'spiffe://test.example/admin',
        iss: 'https://evil.example',
        exp: '9999999999',
        act: '{"sub":"x"}',
        client_id: 'evil',
      }),
    );
    expect(res.status).toBe(200);
    const claims = decodePayload(String(((await res.json()) as { access_token: string }).access_token));
    expect(claims.sub).toBe(AGENT);
    expect(claims.iss).toBe(BROKER_ISSUER);
    expect(claims.client_id).toBe(AGENT);
    expect(claims.act).toBeUndefined();
    expect((claims.exp as number) - (claims.iat as number)).toBe(300);
  });

  const refusals: Array<[string, Record<string, string | string[]>, number, string]> = [
    ['an audience outside the configured list', { audience: 'https://evil.example' }, 400, 'invalid_target'],
    ['two audiences', { audience: [API_AUDIENCE, 'https://other.test.example'] }, 400, 'invalid_target'],
    ['a scope item that is not a tool', { scope: 'tool:jira.read admin' }, 400, 'invalid_scope'],
    ['a wildcard tool', { scope: 'tool:jira.*' }, 400, 'invalid_scope'],
    ['a tool policy forbids', { scope: 'tool:prod.deploy' }, 400, 'invalid_scope'],
    ['no tools at all', { scope: '' }, 400, 'invalid_scope'],
    [
      'restricted data (policy allows up to confidential)',
      {
        authorization_details: '[{"type":"agent_task","tools":["jira.read"],"data_classes":["restricted"]}]',
      },
      400,
      'invalid_scope',
    ],
    [
      'a ttl over the maximum',
      { authorization_details: '[{"type":"agent_task","tools":["jira.read"],"ttl":7200}]' },
      400,
      'invalid_scope',
    ],
    [
      'authorization_details that is not JSON',
      { authorization_details: '{nope' },
      400,
      'invalid_authorization_details',
    ],
    [
      'authorization_details of another type',
      { authorization_details: '[{"type":"payment","tools":["jira.read"]}]' },
      400,
      'invalid_authorization_details',
    ],
    [
      'authorization_details with an unknown field',
      { authorization_details: '[{"type":"agent_task","tools":["jira.read"],"admin":true}]' },
      400,
      'invalid_authorization_details',
    ],
    ['another grant type', { grant_type: 'authorization_code' }, 400, 'unsupported_grant_type'],
    ['a repeated parameter', { scope: ['tool:a', 'tool:b'] }, 400, 'invalid_request'],
    ['an unknown subject_token_type', { subject_token_type: 'urn:x' }, 400, 'invalid_request'],
    ['an actor_token without its type', { actor_token: 'x' }, 400, 'invalid_request'],
  ];

  it.each(refusals)('refuses %s without issuing anything', async (_name, extra, status, error) => {
    const before = await t.snapshot();
    const res = await t.exchange(startForm(await t.issuer.svid(AGENT), extra));
    expect(res.status).toBe(status);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.error).toBe(error);
    expect(typeof body.error_description).toBe('string');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const after = await t.snapshot();
    const newKeys = Object.keys(after).filter(
      (k) => !(k in before) && !k.endsWith('audit') && !k.includes(':rl:'),
    );
    expect(newKeys).toEqual([]);
    // Refused before any identity is verified: nothing to attribute, nothing audited (only logged).
    const beforeIdentity =
      ['unsupported_grant_type'].includes(error) || /repeated|subject_token_type|actor_token/.test(_name);
    const events = await t.auditEvents();
    expect(events).toHaveLength(beforeIdentity ? 0 : 1);
    for (const event of events) expect(event).toMatchObject({ decision: 'deny', principal: AGENT });
    // Every key written is the audit stream or a rate-limit counter, and nothing that existed changed.
    const changed = Object.keys({ ...before, ...after }).filter(
      (k) =>
        JSON.stringify(before[k]) !== JSON.stringify(after[k]) && !k.endsWith('audit') && !k.includes(':rl:'),
    );
    expect(changed).toEqual([]);
  });

  it('records what a denied exchange asked for: tools (bounded) and audience', async () => {
    const denied = await t.exchange(
      startForm(await t.issuer.svid(AGENT), { scope: 'tool:jira.read tool:prod.deploy' }),
    );
    expect(denied.status).toBe(400);
    const many = Array.from({ length: 40 }, (_, i) => `tool:t${i}.read`).join(' ');
    const evil = await t.exchange(
      startForm(await t.issuer.svid(AGENT), { scope: many, audience: 'https://evil.example' }),
    );
    expect(evil.status).toBe(400);
    const events = await t.auditEvents();
    expect(events.map((e) => [e.type, e.detail])).toEqual([
      [
        'exchange.denied',
        {
          asked_tool_count: 2,
          asked_tools: 'jira.read prod.deploy',
          asked_audience: API_AUDIENCE,
        },
      ],
      [
        'exchange.denied',
        {
          asked_tool_count: 40,
          asked_tools: Array.from({ length: 16 }, (_, i) => `t${i}.read`).join(' '),
          asked_audience: 'https://evil.example',
        },
      ],
    ]);
  });

  it('refuses a body that is not form-encoded', async () => {
    const res = await t.app.request('/oauth2/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
  });
});
