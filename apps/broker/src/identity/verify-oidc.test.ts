import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUDIENCE,
  BROKER_ISSUER,
  createTestSigner,
  NOW,
  NOW_MS,
  sendJson,
  startTestServer,
  type TestServer,
  type TestSigner,
  thrownBy,
} from '../../test/support/identity-fixtures.js';
import { createFixedClock } from '../shared/clock.js';
import { silentLogger } from '../shared/logger.js';
import { IdentityError, type IdentityErrorReason, IdentityUnavailableError } from './errors.js';
import { trustConfigSchema } from './issuer-config.js';
import { createIdentityVerifier, type IdentityVerifier } from './verify-workload-token.js';

let k8s: TestSigner;
let ci: TestSigner;
let gh: TestSigner;
let server: TestServer;
let verifier: IdentityVerifier;
let iss: { k8s: string; ci: string; gh: string; liar: string };

const k8sClaims = (extra: Record<string, unknown> = {}) => ({
  iss: iss.k8s,
  sub: 'system:serviceaccount:agents:planner',
  aud: 'writ',
  iat: NOW,
  exp: NOW + 600,
  ns: 'agents',
  env: 'prod',
  ...extra,
});

async function expectRefused(token: string, reason: IdentityErrorReason): Promise<void> {
  const error = await thrownBy(verifier.verify(token));
  expect(error).toBeInstanceOf(IdentityError);
  expect((error as IdentityError).reason).toBe(reason);
}

beforeAll(async () => {
  [k8s, ci, gh] = await Promise.all([
    createTestSigner('ES256', 'k8s-1'),
    createTestSigner('RS256', 'ci-1'),
    createTestSigner('EdDSA', 'gh-1'),
  ]);
  server = await startTestServer();
  iss = {
    k8s: `${server.url}/k8s`,
    ci: `${server.url}/ci`,
    gh: `${server.url}/gh/`,
    liar: `${server.url}/liar`,
  };
  server.route(
    '/k8s/.well-known/openid-configuration',
    sendJson({ issuer: iss.k8s, jwks_uri: `${server.url}/k8s/keys` }),
  );
  server.route('/k8s/keys', sendJson({ keys: [k8s.publicJwk] }));
  server.route('/ci/jwks', sendJson({ keys: [ci.publicJwk] }));
  server.route(
    '/gh/.well-known/openid-configuration',
    sendJson({ issuer: iss.gh, jwks_uri: `${server.url}/gh/keys` }),
  );
  server.route('/gh/keys', sendJson({ keys: [gh.publicJwk] }));
  server.route(
    '/liar/.well-known/openid-configuration',
    sendJson({ issuer: iss.k8s, jwks_uri: `${server.url}/k8s/keys` }),
  );
  const trust = trustConfigSchema.parse({
    oidc: [
      {
        name: 'cluster-a',
        issuer: iss.k8s,
        discovery: true,
        audience: 'writ',
        bound_claims: { ns: ['agents', 'tools'], env: 'prod' },
        attribute_claims: ['ns', 'groups', 'level', 'admin', 'nested', 'mixed', 'absent'],
      },
      { name: 'ci', issuer: iss.ci, jwks_uri: `${server.url}/ci/jwks`, audience: 'writ' },
      { name: 'gh', issuer: iss.gh, discovery: true, audience: 'writ', principal_claim: 'repository' },
      { name: 'liar', issuer: iss.liar, discovery: true, audience: 'writ' },
    ],
  });
  verifier = createIdentityVerifier({
    trust,
    audience: AUDIENCE,
    brokerIssuer: BROKER_ISSUER,
    clock: createFixedClock(NOW_MS),
    logger: silentLogger,
  });
});

afterAll(async () => {
  verifier.close();
  await server.close();
});

describe('OIDC issuers', () => {
  it('verifies through discovery and maps attributes', async () => {
    const token = await k8s.token(
      k8sClaims({
        jti: 't-1',
        groups: ['a', 'b'],
        level: 3,
        admin: false,
        nested: { x: 1 },
        mixed: ['a', 1],
      }),
    );
    await expect(verifier.verify(token)).resolves.toEqual({
      principal: 'oidc:cluster-a:system:serviceaccount:agents:planner',
      issuerId: 'oidc:cluster-a',
      kind: 'oidc',
      subject: 'system:serviceaccount:agents:planner',
      attributes: { ns: 'agents', groups: ['a', 'b'], level: 3, admin: false },
      issuedAt: NOW,
      // max_token_age_seconds (3600) plus clock_tolerance_seconds (30), both defaults.
      maxTokenAgeSeconds: 3630,
      expiresAt: NOW + 600,
      tokenId: 't-1',
    });
    expect(server.hits('/k8s/.well-known/openid-configuration')).toBe(1);
    expect(server.hits('/k8s/keys')).toBe(1);
  });

  it('verifies through an explicit jwks_uri', async () => {
    const token = await ci.token({ iss: iss.ci, sub: 'pipeline-7', aud: 'writ', iat: NOW, exp: NOW + 60 });
    await expect(verifier.verify(token)).resolves.toMatchObject({
      principal: 'oidc:ci:pipeline-7',
      attributes: {},
    });
  });

  it('discovers under an issuer with a trailing slash and maps principal_claim', async () => {
    const token = await gh.token({
      iss: iss.gh,
      sub: 'repo:org/app:ref:main',
      repository: 'org/app',
      aud: 'writ',
      iat: NOW,
      exp: NOW + 60,
    });
    await expect(verifier.verify(token)).resolves.toMatchObject({
      principal: 'oidc:gh:org/app',
      subject: 'repo:org/app:ref:main',
    });
  });

  it('namespaces principals: the same sub from two issuers gives two principals', async () => {
    const sub = 'shared';
    const fromK8s = await verifier.verify(await k8s.token(k8sClaims({ sub })));
    const fromCi = await verifier.verify(
      await ci.token({ iss: iss.ci, sub, aud: 'writ', iat: NOW, exp: NOW + 60 }),
    );
    expect(fromK8s.principal).toBe('oidc:cluster-a:shared');
    expect(fromCi.principal).toBe('oidc:ci:shared');
  });

  it('refuses an issuer whose discovery document names another issuer', async () => {
    const token = await k8s.token(k8sClaims({ iss: iss.liar }));
    const error = await thrownBy(verifier.verify(token));
    expect(error).toBeInstanceOf(IdentityUnavailableError);
    expect((error as IdentityUnavailableError).issuerId).toBe('oidc:liar');
  });

  it('refuses an unknown issuer and one differing only by a trailing slash', async () => {
    await expectRefused(await k8s.token(k8sClaims({ iss: 'https://idp.evil.example' })), 'untrusted_issuer');
    await expectRefused(await k8s.token(k8sClaims({ iss: `${iss.k8s}/` })), 'untrusted_issuer');
    await expectRefused(await k8s.token(k8sClaims({ iss: undefined })), 'untrusted_issuer');
  });

  it("refuses issuer A's claims signed by issuer B's key", async () => {
    await expectRefused(await ci.token(k8sClaims(), { alg: 'RS256', kid: 'k8s-1' }), 'unknown_key');
    const es = await createTestSigner('ES256', 'k8s-1');
    await expectRefused(await es.token(k8sClaims()), 'bad_signature');
  });

  it('requires the configured audience, exactly once', async () => {
    await expectRefused(await k8s.token(k8sClaims({ aud: AUDIENCE })), 'bad_audience');
    await expectRefused(await k8s.token(k8sClaims({ aud: ['writ', 'other'] })), 'bad_audience');
    await expectRefused(await k8s.token(k8sClaims({ aud: undefined })), 'bad_audience');
  });

  it('requires sub', async () => {
    await expectRefused(
      await ci.token({ iss: iss.ci, aud: 'writ', iat: NOW, exp: NOW + 60 }),
      'missing_claim',
    );
  });
});

describe('bound claims and principal claim', () => {
  it.each([
    ['a value outside the list', { ns: 'kube-system' }],
    ['a missing claim', { env: undefined }],
    ['a list where a string is bound', { env: ['prod'] }],
    ['a case variant', { env: 'Prod' }],
  ])('refuses %s', async (_name, extra) => {
    await expectRefused(await k8s.token(k8sClaims(extra)), 'bound_claim_mismatch');
  });

  it('accepts any listed value', async () => {
    await expect(verifier.verify(await k8s.token(k8sClaims({ ns: 'tools' })))).resolves.toMatchObject({
      attributes: { ns: 'tools' },
    });
  });

  it('refuses a missing, empty or non-string principal claim', async () => {
    const base = { iss: iss.gh, sub: 'repo:x', aud: 'writ', iat: NOW, exp: NOW + 60 };
    await expectRefused(await gh.token(base), 'missing_claim');
    await expectRefused(await gh.token({ ...base, repository: '' }), 'bad_subject');
    await expectRefused(await gh.token({ ...base, repository: ['org/app'] }), 'bad_subject');
  });
});
