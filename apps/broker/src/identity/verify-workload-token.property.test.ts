import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AUDIENCE,
  BROKER_ISSUER,
  createTestSigner,
  encodeSegment,
  NOW,
  NOW_MS,
  sendJson,
  startTestServer,
  type TestServer,
  thrownBy,
} from '../../test/support/identity-fixtures.js';
import { createFixedClock } from '../shared/clock.js';
import { silentLogger } from '../shared/logger.js';
import { IdentityError, IdentityUnavailableError } from './errors.js';
import { trustConfigSchema } from './issuer-config.js';
import { createIdentityVerifier, type IdentityVerifier } from './verify-workload-token.js';

let server: TestServer;
let verifier: IdentityVerifier;
let tokens: string[];

function isIdentityFailure(error: unknown): boolean {
  return error instanceof IdentityError || error instanceof IdentityUnavailableError;
}

beforeAll(async () => {
  const [es, ed, rs] = await Promise.all([
    createTestSigner('ES256', 'es'),
    createTestSigner('EdDSA', 'ed'),
    createTestSigner('RS256', 'rs'),
  ]);
  server = await startTestServer();
  server.route('/idp/jwks', sendJson({ keys: [rs.publicJwk] }));
  const trust = trustConfigSchema.parse({
    spiffe: [{ trust_domain: 'example.org', bundle: { keys: [es.publicJwk, ed.publicJwk] } }],
    oidc: [
      { name: 'idp', issuer: `${server.url}/idp`, jwks_uri: `${server.url}/idp/jwks`, audience: 'writ' },
    ],
  });
  verifier = createIdentityVerifier({
    trust,
    audience: AUDIENCE,
    brokerIssuer: BROKER_ISSUER,
    clock: createFixedClock(NOW_MS),
    logger: silentLogger,
  });
  const svid = { sub: 'spiffe://example.org/agent', aud: AUDIENCE, iat: NOW, exp: NOW + 300 };
  tokens = [
    await es.token(svid),
    await ed.token(svid),
    await rs.token({ iss: `${server.url}/idp`, sub: 'w', aud: 'writ', iat: NOW, exp: NOW + 300 }),
  ];
  for (const token of tokens) await verifier.verify(token);
});

afterAll(async () => {
  verifier.close();
  await server.close();
});

describe('verify never accepts garbage or mutations, and fails only with identity errors', () => {
  it('random strings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300, unit: 'binary' }), async (input) => {
        expect(await thrownBy(verifier.verify(input))).toSatisfy(isIdentityFailure);
      }),
      { numRuns: 1000 },
    );
  });

  it('random three-segment tokens with JSON header and payload', async () => {
    const header = fc.oneof(
      fc.record(
        { alg: fc.constantFrom('ES256', 'EdDSA', 'RS256', 'none', 'HS256', 'PS256') },
        { requiredKeys: [] },
      ),
      fc.jsonValue(),
    );
    const payload = fc.oneof(
      fc.record({
        sub: fc.oneof(fc.constant('spiffe://example.org/agent'), fc.string()),
        iss: fc.oneof(fc.constant(`${BROKER_ISSUER}`), fc.string()),
        aud: fc.oneof(fc.constant(AUDIENCE), fc.array(fc.string())),
        iat: fc.oneof(fc.constant(NOW), fc.integer()),
        exp: fc.oneof(fc.constant(NOW + 300), fc.double()),
      }),
      fc.jsonValue(),
    );
    await fc.assert(
      fc.asyncProperty(header, payload, fc.uint8Array({ maxLength: 80 }), async (h, p, sig) => {
        const token = `${encodeSegment(h)}.${encodeSegment(p)}.${Buffer.from(sig).toString('base64url')}`;
        expect(await thrownBy(verifier.verify(token))).toSatisfy(isIdentityFailure);
      }),
      { numRuns: 1000 },
    );
  });

  it('single-character mutations of valid tokens', async () => {
    const mutation = fc
      .record({ which: fc.nat({ max: 2 }), index: fc.nat(), code: fc.integer({ min: 0, max: 255 }) })
      .map(({ which, index, code }) => {
        const token = tokens[which] ?? '';
        const at = index % token.length;
        return `${token.slice(0, at)}${String.fromCharCode(code)}${token.slice(at + 1)}`;
      })
      .filter((token) => !tokens.includes(token));
    await fc.assert(
      fc.asyncProperty(mutation, async (token) => {
        expect(await thrownBy(verifier.verify(token))).toSatisfy(isIdentityFailure);
      }),
      { numRuns: 1000 },
    );
  });
});
