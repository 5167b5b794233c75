import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIENCE, BROKER_ISSUER, NOW, NOW_MS, thrownBy } from '../../test/support/identity-fixtures.js';
import { createFixedClock } from '../shared/clock.js';
import { silentLogger } from '../shared/logger.js';
import { createDevIdentityIssuer, type DevIdentityIssuer } from './dev-identity-issuer.js';
import { IdentityError } from './errors.js';
import { createIdentityVerifier, type IdentityVerifier } from './verify-workload-token.js';

const DEV_ISSUER = 'https://dev-identity.writ.local';
const clock = createFixedClock(NOW_MS);
let dev: DevIdentityIssuer;
let verifier: IdentityVerifier;

beforeAll(async () => {
  dev = await createDevIdentityIssuer({ audience: AUDIENCE, issuer: DEV_ISSUER, clock });
  verifier = createIdentityVerifier({
    trust: { spiffe: [dev.spiffeConfig()], oidc: [] },
    audience: AUDIENCE,
    brokerIssuer: BROKER_ISSUER,
    clock,
    logger: silentLogger,
  });
});

afterAll(() => verifier.close());

describe('createDevIdentityIssuer', () => {
  it('round-trips an SVID through the verifier', async () => {
    const identity = await verifier.verify(await dev.issue('spiffe://dev.local/agent/planner'));
    expect(identity).toMatchObject({
      principal: 'spiffe://dev.local/agent/planner',
      issuerId: 'spiffe:dev.local',
      kind: 'spiffe',
      attributes: { trust_domain: 'dev.local', path: '/agent/planner' },
      issuedAt: NOW,
      expiresAt: NOW + 300,
    });
    expect(identity.tokenId).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('issues ES256 JWT-SVIDs with kid, typ JWT, one audience, 300 s lifetime and a random jti', async () => {
    const token = await dev.issue('spiffe://dev.local/a');
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', kid: dev.jwks.keys[0]?.kid, typ: 'JWT' });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({
      sub: 'spiffe://dev.local/a',
      aud: AUDIENCE,
      iss: DEV_ISSUER,
      iat: NOW,
      exp: NOW + 300,
    });
    expect(decodeJwt(await dev.issue('spiffe://dev.local/a')).jti).not.toBe(claims.jti);
  });

  it('publishes public keys only', () => {
    expect(dev.trustDomain).toBe('dev.local');
    expect(dev.jwks.keys).toHaveLength(1);
    expect(Object.keys(dev.jwks.keys[0] ?? {}).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
  });

  it('pins the issuer in its trust config', () => {
    expect(dev.spiffeConfig()).toMatchObject({
      trust_domain: 'dev.local',
      issuer: DEV_ISSUER,
      algorithms: expect.any(Array),
    });
  });

  it.each([
    'spiffe://example.org/agent',
    'spiffe://dev.local',
    'spiffe://dev.local/',
    'spiffe://dev.local/../x',
    'spiffe://dev.local.evil/x',
    'https://dev.local/x',
  ])('refuses to issue for %s', async (id) => {
    const error = await thrownBy(dev.issue(id));
    expect(error).toBeInstanceOf(IdentityError);
    expect((error as IdentityError).reason).toBe('bad_subject');
  });

  it("another dev issuer's SVIDs are not trusted", async () => {
    const other = await createDevIdentityIssuer({ audience: AUDIENCE, issuer: DEV_ISSUER, clock });
    const error = await thrownBy(verifier.verify(await other.issue('spiffe://dev.local/agent')));
    expect(error).toBeInstanceOf(IdentityError);
    expect((error as IdentityError).reason).toBe('unknown_key');
  });

  it('an SVID expires after 300 s (plus tolerance)', async () => {
    const token = await dev.issue('spiffe://dev.local/agent');
    clock.advance(331_000);
    const error = await thrownBy(verifier.verify(token));
    clock.set(NOW_MS);
    expect((error as IdentityError).reason).toBe('expired');
  });
});
