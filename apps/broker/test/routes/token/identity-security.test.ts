import { createHash } from 'node:crypto';
import { TOKEN_TYPE } from '@writ/claims';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_AUDIENCE, BROKER_ISSUER, createTestBroker, type TestBroker } from '../../support/test-broker.js';
import { createTestIssuer } from '../../support/test-issuer.js';
import { b64, forgeToken, hs256, startForm } from '../../support/tokens.js';

const AGENT = 'spiffe://test.example/agents/triage';

/**
 * Identity in: every bad identity is 400 invalid_request, writes nothing but exactly
 * one deny audit event, and never leaks the token into a log line.
 */
describe('POST /oauth2/token — hostile identities (real Redis)', () => {
  let t: TestBroker;
  beforeAll(async () => {
    t = await createTestBroker({ store: 'redis' });
  });
  afterAll(async () => t.close());

  const now = () => t.clock.nowSeconds();
  const claims = (extra: Record<string, unknown> = {}) => ({
    iss: 'https://spire.test.example',
    sub: AGENT,
    aud: BROKER_ISSUER,
    iat: now(),
    exp: now() + 300,
    ...extra,
  });

  const cases: Array<[string, () => Promise<string>]> = [
    ['alg none', async () => forgeToken({ alg: 'none', typ: 'JWT' }, claims())],
    ['alg NONE', async () => forgeToken({ alg: 'NONE' }, claims())],
    ['alg nOnE', async () => forgeToken({ alg: 'nOnE' }, claims())],
    [
      'HS256 signed with the issuer public key',
      async () =>
        hs256({ alg: 'HS256', kid: t.issuer.kid }, claims(), Buffer.from(JSON.stringify(t.issuer.publicJwk))),
    ],
    [
      'ES256 with r = s = 0 (raw)',
      async () =>
        forgeToken({ alg: 'ES256', kid: t.issuer.kid }, claims(), Buffer.alloc(64).toString('base64url')),
    ],
    [
      'ES256 with r = s = 0 (DER)',
      async () =>
        forgeToken(
          { alg: 'ES256', kid: t.issuer.kid },
          claims(),
          Buffer.from('3006020100020100', 'hex').toString('base64url'),
        ),
    ],
    ['a jku header', async () => t.issuer.svid(AGENT, { header: { jku: 'http://127.0.0.1:1/jwks' } })],
    ['an x5u header', async () => t.issuer.svid(AGENT, { header: { x5u: 'http://127.0.0.1:1/cert' } })],
    ['an embedded jwk', async () => t.issuer.svid(AGENT, { header: { jwk: t.issuer.publicJwk } })],
    ['a hostile kid', async () => t.issuer.svid(AGENT, { header: { kid: '../../../../etc/passwd' } })],
    ['a 10 KB kid', async () => t.issuer.svid(AGENT, { header: { kid: 'k'.repeat(10_000) } })],
    [
      'an unknown crit',
      async () => t.issuer.signRaw({ alg: 'ES256', kid: t.issuer.kid, crit: ['exp2'], exp2: 1 }, claims()),
    ],
    ['a JWE (five segments)', async () => `${b64({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.a.b.c.d`],
    ['JSON serialization', async () => JSON.stringify({ payload: b64(claims()), signatures: [] })],
    ['no exp', async () => t.issuer.svid(AGENT, { claims: { exp: undefined } })],
    ['expired', async () => t.issuer.svid(AGENT, { claims: { iat: now() - 600, exp: now() - 300 } })],
    [
      'iat in the future',
      async () => t.issuer.svid(AGENT, { claims: { iat: now() + 600, exp: now() + 900 } }),
    ],
    ['nbf in the future', async () => t.issuer.svid(AGENT, { claims: { nbf: now() + 600 } })],
    ['a lifetime over the cap', async () => t.issuer.svid(AGENT, { claims: { exp: now() + 200_000 } })],
    ['no aud', async () => t.issuer.svid(AGENT, { claims: { aud: undefined } })],
    ['a wrong aud', async () => t.issuer.svid(AGENT, { audience: 'https://someone-else.example' })],
    [
      'several audiences',
      async () => t.issuer.svid(AGENT, { audience: [BROKER_ISSUER, 'https://x.example'] }),
    ],
    [
      'a SPIFFE ID outside the trust domain',
      async () => t.issuer.svid('spiffe://evil.example/agents/triage'),
    ],
    ['a malformed SPIFFE ID', async () => t.issuer.svid('spiffe://test.example/../admin')],
    [
      "issuer A's claims signed by issuer B's key",
      async () => {
        const other = await createTestIssuer({
          audience: BROKER_ISSUER,
          nowSeconds: now,
          trustDomain: 'other.example',
        });
        return other.svid(AGENT, { header: { kid: t.issuer.kid } });
      },
    ],
    ['a token that is not a JWT', async () => 'not-a-token'],
  ];

  it.each(cases)('%s → 400 invalid_request, one deny event, nothing else written', async (_name, make) => {
    const token = await make();
    const before = await t.snapshot();
    const auditBefore = (await t.auditEvents()).length;
    const res = await t.exchange(startForm(token));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
    const after = await t.snapshot();
    const changed = Object.keys({ ...before, ...after }).filter(
      (k) => JSON.stringify(after[k]) !== JSON.stringify(before[k]),
    );
    expect(changed.filter((k) => !k.endsWith('audit'))).toEqual([]);
    const events = await t.auditEvents();
    expect(events.length).toBe(auditBefore + 1);
    expect(events.at(-1)).toMatchObject({ type: 'exchange.denied', decision: 'deny' });
    const signature = token.split('.')[2] ?? token;
    if (signature.length > 8) expect(t.logs.join('')).not.toContain(signature);
  });

  it('refuses a writ presented as a workload identity', async () => {
    const ok = await t.exchange(startForm(await t.issuer.svid(AGENT)));
    const writ = ((await ok.json()) as { access_token: string }).access_token;
    const res = await t.exchange(startForm(writ));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
  });

  it('refuses a workload identity presented as a writ', async () => {
    const res = await t.exchange(
      startForm(await t.issuer.svid(AGENT), { subject_token_type: TOKEN_TYPE.accessToken }),
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
  });

  it.each([
    ['1 MB', 1024 * 1024],
    ['10 MB', 10 * 1024 * 1024],
  ])('refuses a %s body with 413 before reading it as a token', async (_name, size) => {
    const before = await t.snapshot();
    const res = await t.app.request('/oauth2/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(size) },
      body: `subject_token=${'a'.repeat(size)}`,
    });
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
    expect(await t.snapshot()).toEqual(before);
  });

  it('never writes a token or signature into a log line', async () => {
    const svid = await t.issuer.svid(AGENT);
    const res = await t.exchange(startForm(svid));
    const writ = ((await res.json()) as { access_token: string }).access_token;
    const log = t.logs.join('');
    for (const secret of [svid, writ, svid.split('.')[2] ?? '', writ.split('.')[2] ?? '']) {
      expect(log).not.toContain(secret);
    }
    expect(log).not.toContain(createHash('sha256').update(writ).digest('hex'));
    expect(log).toContain('task.started');
  });

  it('answers unknown audience even when the identity is valid with invalid_target', async () => {
    const res = await t.exchange(
      startForm(await t.issuer.svid(AGENT), { audience: `${API_AUDIENCE}/other` }),
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_target');
  });
});
