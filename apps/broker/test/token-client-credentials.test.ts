import { decodeProtectedHeader } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { API_AUDIENCE, BROKER_ISSUER, createTestBroker, type TestBroker } from './support/test-broker.js';
import { decodePayload, startForm } from './support/tokens.js';

const AGENT = 'spiffe://test.example/agents/triage';
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** What the MCP SDK's StaticPrivateKeyJwtProvider sends (plus whatever a test adds). */
function clientCredentialsForm(assertion: string, extra: Record<string, string | string[]> = {}) {
  return {
    grant_type: 'client_credentials',
    client_assertion_type: JWT_BEARER,
    client_assertion: assertion,
    resource: API_AUDIENCE,
    scope: 'tool:github.issues.create tool:jira.read',
    ...extra,
  };
}

describe.each(['redis', 'memory'] as const)('POST /oauth2/token — client_credentials (%s store)', (store) => {
  let t: TestBroker;
  beforeEach(async () => {
    t = await createTestBroker({ store });
  });
  afterEach(async () => t.close());

  /** Store keys a request added or changed, audit stream and rate-limit counters aside. */
  async function writesOf(request: () => Promise<Response>): Promise<{ res: Response; written: string[] }> {
    const before = await t.snapshot();
    const res = await request();
    const after = await t.snapshot();
    const written = Object.keys({ ...before, ...after }).filter(
      (k) =>
        JSON.stringify(before[k]) !== JSON.stringify(after[k]) && !k.endsWith('audit') && !k.includes(':rl:'),
    );
    return { res, written };
  }

  it('starts the same task a token exchange with that identity starts: writ, task, audit', async () => {
    const svid = await t.issuer.svid(AGENT);
    const res = await t.exchange(clientCredentialsForm(svid, { client_id: AGENT }));
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 300,
      scope: 'tool:github.issues.create tool:jira.read',
    });
    const writ = String(body.access_token);
    expect(decodeProtectedHeader(writ).typ).toBe('at+jwt');
    const claims = decodePayload(writ);
    expect(claims).toMatchObject({ iss: BROKER_ISSUER, sub: AGENT, client_id: AGENT, aud: API_AUDIENCE });

    const exchanged = await t.exchange(startForm(await t.issuer.svid(AGENT)));
    const other = decodePayload(String(((await exchanged.json()) as { access_token: string }).access_token));
    const shape = (c: Record<string, unknown>) => {
      const { jti: _j, task, ...rest } = c;
      const { id: _id, ...taskRest } = task as Record<string, unknown>;
      return { ...rest, task: taskRest };
    };
    expect(shape(claims)).toEqual(shape(other));

    const taskId = (claims.task as { id: string }).id;
    expect(await t.store.getTask(taskId)).toMatchObject({
      principal: AGENT,
      client_id: AGENT,
      status: 'live',
      tools: ['github.issues.create', 'jira.read'],
    });
    const events = await t.auditEvents();
    expect(events.map((e) => e.type)).toEqual(['task.started', 'task.started']);
    expect(events[0]).toMatchObject({ decision: 'allow', principal: AGENT, jti: claims.jti });
  });

  it('takes the plan from authorization_details too, and needs no client_id', async () => {
    const details = JSON.stringify([{ type: 'agent_task', tools: ['jira.read'], budget: { total: 3 } }]);
    const res = await t.exchange(
      clientCredentialsForm(await t.issuer.svid(AGENT), { scope: '', authorization_details: details }),
    );
    expect(res.status).toBe(200);
    const claims = decodePayload(String(((await res.json()) as { access_token: string }).access_token));
    expect(claims.authorization_details).toMatchObject([{ type: 'agent_task', tools: ['jira.read'] }]);
  });

  const unauthenticated: Array<[string, (svid: string) => Record<string, string>]> = [
    ['no client_assertion', (svid) => ({ ...clientCredentialsForm(svid), client_assertion: '' })],
    ['no client_assertion_type', (svid) => ({ ...clientCredentialsForm(svid), client_assertion_type: '' })],
    [
      'another client_assertion_type',
      (svid) => ({
        ...clientCredentialsForm(svid),
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer',
      }),
    ],
  ];

  it.each(unauthenticated)(
    'refuses %s: 401 invalid_client, nothing written or audited',
    async (_name, form) => {
      const svid = await t.issuer.svid(AGENT);
      const { res, written } = await writesOf(() => t.exchange(form(svid)));
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: 'invalid_client' });
      expect(written).toEqual([]);
      expect(await t.auditEvents()).toEqual([]);
    },
  );

  const badAssertions: Array<[string, () => Promise<string>, string]> = [
    ['not a JWT', async () => 'not-a-jwt', 'client_assertion:malformed'],
    [
      'for another audience (not the broker)',
      () => t.issuer.svid(AGENT, { audience: 'https://elsewhere.example' }),
      'client_assertion:bad_audience',
    ],
    [
      'expired',
      () =>
        t.issuer.svid(AGENT, {
          claims: { iat: t.clock.nowSeconds() - 900, exp: t.clock.nowSeconds() - 600 },
        }),
      'client_assertion:expired',
    ],
    [
      'signed by nobody trusted',
      async () => {
        const svid = await t.issuer.svid(AGENT);
        return `${svid.slice(0, svid.lastIndexOf('.'))}.${'A'.repeat(86)}`;
      },
      'client_assertion:bad_signature',
    ],
  ];

  it.each(badAssertions)(
    'refuses an assertion %s: 401 invalid_client, audited, no task',
    async (_n, make, reason) => {
      const assertion = await make();
      const { res, written } = await writesOf(() => t.exchange(clientCredentialsForm(assertion)));
      expect(res.status).toBe(401);
      const body = (await res.json()) as Record<string, unknown>;
      expect(body.error).toBe('invalid_client');
      expect(String(body.error_description)).not.toContain(assertion);
      expect(written).toEqual([]);
      const events = await t.auditEvents();
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        type: 'exchange.denied',
        decision: 'deny',
        reasons: [reason],
        detail: { grant_type: 'client_credentials', asked_audience: API_AUDIENCE },
      });
    },
  );

  it("refuses a client_id that is not the assertion's principal: 401 invalid_client, audited", async () => {
    const svid = await t.issuer.svid(AGENT);
    const { res, written } = await writesOf(() =>
      t.exchange(clientCredentialsForm(svid, { client_id: 'spiffe://test.example/agents/other' })),
    );
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_client' });
    expect(written).toEqual([]);
    const events = await t.auditEvents();
    expect(events).toMatchObject([
      { type: 'exchange.denied', decision: 'deny', principal: AGENT, reasons: ['client_id_mismatch'] },
    ]);
  });

  const refusals: Array<[string, Record<string, string | string[]>, number, string, string[] | null]> = [
    [
      'a resource this broker does not serve',
      { resource: 'https://unknown.example' },
      400,
      'invalid_target',
      ['audience_not_allowed'],
    ],
    [
      'two resources',
      { resource: [API_AUDIENCE, 'https://other.test.example'] },
      400,
      'invalid_target',
      ['several_audiences'],
    ],
    ['a tool policy forbids', { scope: 'tool:prod.deploy' }, 400, 'invalid_scope', null],
    ['no tools', { scope: '' }, 400, 'invalid_scope', ['empty_plan']],
    ['a malformed scope', { scope: 'admin' }, 400, 'invalid_scope', ['bad_plan:invalid_scope']],
    ['a subject_token as well', { subject_token: 'x' }, 400, 'invalid_request', []],
    ['a repeated client_assertion', { client_assertion: ['a', 'b'] }, 400, 'invalid_request', []],
  ];

  it.each(refusals)('refuses %s without issuing anything', async (_name, extra, status, error, reasons) => {
    const svid = await t.issuer.svid(AGENT);
    const { res, written } = await writesOf(() => t.exchange(clientCredentialsForm(svid, extra)));
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ error });
    expect(written).toEqual([]);
    const events = await t.auditEvents();
    if (reasons?.length === 0) {
      // Refused before the assertion is verified: nothing to attribute, nothing audited.
      expect(events).toEqual([]);
      return;
    }
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'exchange.denied', decision: 'deny', principal: AGENT });
    if (reasons) expect(events[0]?.reasons).toEqual(reasons);
  });

  it('answers another grant type unsupported_grant_type', async () => {
    const res = await t.exchange({ grant_type: 'password', username: 'a', password: 'b' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'unsupported_grant_type' });
  });
});

describe('RFC 8414 metadata for MCP clients', () => {
  let t: TestBroker;
  beforeEach(async () => {
    t = await createTestBroker({ store: 'memory' });
  });
  afterEach(async () => t.close());

  it('advertises client_credentials with private_key_jwt and the identity algorithms', async () => {
    const meta = (await (await t.app.request('/.well-known/oauth-authorization-server')).json()) as Record<
      string,
      unknown
    >;
    expect(meta).toMatchObject({
      issuer: BROKER_ISSUER,
      authorization_endpoint: `${BROKER_ISSUER}/oauth2/authorize`,
      token_endpoint: `${BROKER_ISSUER}/oauth2/token`,
      grant_types_supported: ['urn:ietf:params:oauth:grant-type:token-exchange', 'client_credentials'],
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      response_types_supported: [],
    });
    // Every trusted issuer's identity algorithms (the test domain's ES256, the dev domain's list):
    // asymmetric only, never `none` or HMAC.
    const algorithms = meta.token_endpoint_auth_signing_alg_values_supported as string[];
    expect(algorithms).toContain('ES256');
    expect(algorithms.filter((alg) => alg === 'none' || alg.startsWith('HS'))).toEqual([]);
  });

  it('has no authorization endpoint to speak of: 400 invalid_request', async () => {
    const res = await t.app.request('/oauth2/authorize?response_type=code&client_id=x');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_request' });
  });
});
