import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUDIENCE,
  BROKER_ISSUER,
  createTestSigner,
  NOW,
  NOW_MS,
  type TestSigner,
  thrownBy,
} from '../../test/support/identity-fixtures.js';
import { createFixedClock } from '../shared/clock.js';
import { silentLogger } from '../shared/logger.js';
import { IdentityError, type IdentityErrorReason } from './errors.js';
import { trustConfigSchema } from './issuer-config.js';
import { createIdentityVerifier, type IdentityVerifier } from './verify-workload-token.js';

let a: TestSigner;
let b: TestSigner;
let verifier: IdentityVerifier;
const ISSUER_B = 'https://spire.b.example';

const claims = (extra: Record<string, unknown> = {}) => ({
  sub: 'spiffe://a.example/agent/planner',
  aud: AUDIENCE,
  iat: NOW,
  exp: NOW + 300,
  ...extra,
});

const without = (name: string) => {
  const c: Record<string, unknown> = claims();
  delete c[name];
  return c;
};

async function expectRefused(token: string, reason: IdentityErrorReason): Promise<void> {
  const error = await thrownBy(verifier.verify(token));
  expect(error).toBeInstanceOf(IdentityError);
  expect((error as IdentityError).reason).toBe(reason);
}

beforeAll(async () => {
  [a, b] = await Promise.all([createTestSigner('ES256', 'a-1'), createTestSigner('ES256', 'b-1')]);
  const trust = trustConfigSchema.parse({
    spiffe: [
      { trust_domain: 'a.example', bundle: { keys: [a.publicJwk] } },
      {
        trust_domain: 'b.example',
        bundle: { keys: [b.publicJwk] },
        issuer: ISSUER_B,
        max_lifetime_seconds: 600,
      },
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

afterAll(() => verifier.close());

describe('SPIFFE happy path', () => {
  it('maps a JWT-SVID to its SPIFFE ID', async () => {
    await expect(verifier.verify(await a.token(claims({ jti: 'svid-1' })))).resolves.toEqual({
      principal: 'spiffe://a.example/agent/planner',
      issuerId: 'spiffe:a.example',
      kind: 'spiffe',
      subject: 'spiffe://a.example/agent/planner',
      attributes: { trust_domain: 'a.example', path: '/agent/planner' },
      issuedAt: NOW,
      // max_token_age_seconds (3600) plus clock_tolerance_seconds (30), both defaults.
      maxTokenAgeSeconds: 3630,
      expiresAt: NOW + 300,
      tokenId: 'svid-1',
    });
  });

  it('accepts aud as a one-element array and omits tokenId without jti', async () => {
    const identity = await verifier.verify(await a.token(claims({ aud: [AUDIENCE] })));
    expect(identity.principal).toBe('spiffe://a.example/agent/planner');
    expect(identity).not.toHaveProperty('tokenId');
  });
});

describe('time claims', () => {
  it.each(['exp', 'iat'])('requires %s', async (name) => {
    await expectRefused(await a.token(without(name)), 'missing_claim');
  });

  it('refuses non-numeric exp and iat', async () => {
    await expectRefused(await a.token(claims({ exp: String(NOW + 300) })), 'malformed');
    await expectRefused(await a.token(claims({ iat: String(NOW) })), 'malformed');
  });

  it('refuses an expired token beyond the 30 s tolerance only', async () => {
    await expectRefused(await a.token(claims({ iat: NOW - 400, exp: NOW - 31 })), 'expired');
    await expect(
      verifier.verify(await a.token(claims({ iat: NOW - 400, exp: NOW - 29 }))),
    ).resolves.toBeDefined();
  });

  it('refuses nbf and iat in the future beyond tolerance', async () => {
    await expectRefused(await a.token(claims({ nbf: NOW + 31 })), 'not_yet_valid');
    await expectRefused(await a.token(claims({ iat: NOW + 31, exp: NOW + 331 })), 'not_yet_valid');
    await expect(
      verifier.verify(await a.token(claims({ nbf: NOW + 29, iat: NOW + 29 }))),
    ).resolves.toBeDefined();
  });

  it('refuses a lifetime over the cap (default 86400 s, configured 600 s)', async () => {
    await expectRefused(await a.token(claims({ exp: NOW + 86401 })), 'lifetime_exceeded');
    await expect(verifier.verify(await a.token(claims({ exp: NOW + 86400 })))).resolves.toBeDefined();
    const bClaims = claims({ sub: 'spiffe://b.example/x', iss: ISSUER_B });
    await expectRefused(await b.token({ ...bClaims, exp: NOW + 601 }), 'lifetime_exceeded');
    await expect(verifier.verify(await b.token({ ...bClaims, exp: NOW + 600 }))).resolves.toBeDefined();
  });

  it('refuses a token issued too long ago', async () => {
    await expectRefused(await a.token(claims({ iat: NOW - 3631, exp: NOW + 60 })), 'too_old');
  });

  it('refuses exp not after iat', async () => {
    await expectRefused(await a.token(claims({ iat: NOW, exp: NOW })), 'malformed');
  });
});

describe('audience', () => {
  it.each([
    ['missing', undefined],
    ['wrong', 'https://other.example'],
    ['multiple', [AUDIENCE, 'https://other.example']],
    ['duplicated', [AUDIENCE, AUDIENCE]],
    ['empty list', []],
    ['numeric', 42],
  ])('refuses a %s aud', async (_name, aud) => {
    await expectRefused(await a.token(claims({ aud })), 'bad_audience');
  });
});

describe('issuer selection and subjects', () => {
  it('refuses a SPIFFE ID outside every configured trust domain', async () => {
    await expectRefused(
      await a.token(claims({ sub: 'spiffe://evil.example/agent/planner' })),
      'untrusted_issuer',
    );
  });

  it("refuses trust domain A's claims signed by trust domain B's key", async () => {
    await expectRefused(await b.token(claims(), { kid: 'a-1' }), 'bad_signature');
    await expectRefused(await b.token(claims(), { kid: undefined }), 'bad_signature');
    await expectRefused(await b.token(claims()), 'unknown_key');
  });

  it('requires the exact issuer when the trust domain sets one', async () => {
    const sub = 'spiffe://b.example/agent/x';
    await expect(verifier.verify(await b.token(claims({ sub, iss: ISSUER_B })))).resolves.toMatchObject({
      principal: sub,
    });
    await expectRefused(await b.token(claims({ sub, iss: `${ISSUER_B}/` })), 'untrusted_issuer');
    await expectRefused(await b.token(claims({ sub })), 'missing_claim');
  });

  it.each([
    'spiffe://a.example',
    'spiffe://a.example/',
    'spiffe://a.example/agent/',
    'spiffe://a.example//agent',
    'spiffe://a.example/agent/../admin',
    'spiffe://a.example/./agent',
    'spiffe://a.example/agent?admin=1',
    'spiffe://a.example/agent#x',
    'spiffe://a.example/agent%2F..',
  ])('refuses malformed SPIFFE ID %s in a trusted domain', async (sub) => {
    await expectRefused(await a.token(claims({ sub })), 'bad_subject');
  });

  it.each([
    'spiffe://a.example:443/agent',
    'spiffe://user@a.example/agent',
    'spiffe://A.example/agent',
    'SPIFFE://a.example/agent',
    'a.example/agent',
    undefined,
  ])('refuses %s as matching no trust domain', async (sub) => {
    await expectRefused(await a.token(claims({ sub })), 'untrusted_issuer');
  });
});

describe('verifier construction', () => {
  it('refuses a trust domain that claims the broker issuer', () => {
    const trust = trustConfigSchema.parse({
      spiffe: [{ trust_domain: 'a.example', bundle: { keys: [] }, issuer: BROKER_ISSUER }],
    });
    const options = {
      trust,
      audience: AUDIENCE,
      brokerIssuer: BROKER_ISSUER,
      clock: createFixedClock(NOW_MS),
    };
    expect(() => createIdentityVerifier({ ...options, logger: silentLogger })).toThrow(/broker's own issuer/);
  });
});

describe('tokens without kid', () => {
  it('are checked against every key of the right type, and verify only with the signing one', async () => {
    const [first, second, stranger] = await Promise.all([
      createTestSigner('ES256', 'one'),
      createTestSigner('ES256', 'two'),
      createTestSigner('ES256', 'one'),
    ]);
    const multi = createIdentityVerifier({
      trust: trustConfigSchema.parse({
        spiffe: [{ trust_domain: 'a.example', bundle: { keys: [first.publicJwk, second.publicJwk] } }],
      }),
      audience: AUDIENCE,
      brokerIssuer: BROKER_ISSUER,
      clock: createFixedClock(NOW_MS),
      logger: silentLogger,
    });
    await expect(multi.verify(await second.token(claims(), { kid: undefined }))).resolves.toMatchObject({
      principal: 'spiffe://a.example/agent/planner',
    });
    const error = await thrownBy(multi.verify(await stranger.token(claims(), { kid: undefined })));
    expect((error as IdentityError).reason).toBe('bad_signature');
    multi.close();
  });
});
