import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AUDIENCE,
  BROKER_ISSUER,
  createTestSigner,
  type Handler,
  NOW,
  NOW_MS,
  sendJson,
  startTestServer,
  type TestServer,
  type TestSigner,
  thrownBy,
  waitUntil,
} from '../../test/support/identity-fixtures.js';
import { createFixedClock } from '../shared/clock.js';
import { silentLogger } from '../shared/logger.js';
import { IdentityError, IdentityUnavailableError } from './errors.js';
import { type TrustConfigInput, trustConfigSchema } from './issuer-config.js';
import { createIdentityVerifier, type IdentityVerifier } from './verify-workload-token.js';

let signer: TestSigner;
let rotated: TestSigner;
let server: TestServer;
let dir: string;
let clock: ReturnType<typeof createFixedClock>;
const open: IdentityVerifier[] = [];
let route = 0;

function build(trust: TrustConfigInput): IdentityVerifier {
  const verifier = createIdentityVerifier({
    trust: trustConfigSchema.parse(trust),
    audience: AUDIENCE,
    brokerIssuer: BROKER_ISSUER,
    clock,
    logger: silentLogger,
    jwks: { timeoutMs: 300, maxBytes: 64 * 1024, cooldownMs: 30_000 },
  });
  open.push(verifier);
  return verifier;
}

/** An OIDC issuer on a fresh path whose JWKS endpoint is `handler`. */
function oidcIssuer(handler: Handler) {
  route += 1;
  const issuer = `${server.url}/idp-${route}`;
  const jwksPath = `/idp-${route}/jwks`;
  server.route(jwksPath, handler);
  const verifier = build({
    oidc: [{ name: `idp-${route}`, issuer, jwks_uri: `${server.url}${jwksPath}`, audience: 'writ' }],
  });
  const token = (s: TestSigner = signer) =>
    s.token({ iss: issuer, sub: 'w', aud: 'writ', iat: clock.nowSeconds(), exp: clock.nowSeconds() + 300 });
  return { verifier, token, jwksPath, setHandler: (h: Handler) => server.route(jwksPath, h) };
}

const svid = (s: TestSigner = signer, extra: Record<string, unknown> = {}) =>
  s.token({
    sub: 'spiffe://example.org/w',
    aud: AUDIENCE,
    iat: clock.nowSeconds(),
    exp: clock.nowSeconds() + 300,
    ...extra,
  });

async function expectUnavailable(promise: Promise<unknown>): Promise<void> {
  const error = await thrownBy(promise);
  expect(error).toBeInstanceOf(IdentityUnavailableError);
}

async function expectReason(promise: Promise<unknown>, reason: string): Promise<void> {
  const error = await thrownBy(promise);
  expect(error).toBeInstanceOf(IdentityError);
  expect((error as IdentityError).reason).toBe(reason);
}

const fail = (status: number): Handler => sendJson({ error: 'down' }, status);

beforeAll(async () => {
  [signer, rotated] = await Promise.all([createTestSigner('ES256', 'k-1'), createTestSigner('ES256', 'k-2')]);
  server = await startTestServer();
  dir = await mkdtemp(join(tmpdir(), 'writ-identity-'));
  server.route('/good', sendJson({ keys: [signer.publicJwk] }));
});

afterEach(() => {
  for (const verifier of open.splice(0)) verifier.close();
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('JWKS endpoint failures with nothing cached → IdentityUnavailableError', () => {
  beforeAll(() => {
    clock = createFixedClock(NOW_MS);
  });

  it('a slow endpoint times out within the bound', async () => {
    const { verifier, token } = oidcIssuer((_req, res) => {
      setTimeout(() => sendJson({ keys: [signer.publicJwk] })(_req, res), 2000);
    });
    const started = Date.now();
    await expectUnavailable(verifier.verify(await token()));
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('a body that stalls after the headers times out too', async () => {
    const { verifier, token } = oidcIssuer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"keys":[');
    });
    await expectUnavailable(verifier.verify(await token()));
  });

  it.each([500, 503, 404, 204])('status %i', async (status) => {
    const { verifier, token } = oidcIssuer(fail(status));
    await expectUnavailable(verifier.verify(await token()));
  });

  it('a redirect is not followed', async () => {
    const before = server.hits('/good');
    const { verifier, token } = oidcIssuer((_req, res) => {
      res.writeHead(302, { location: `${server.url}/good` });
      res.end();
    });
    await expectUnavailable(verifier.verify(await token()));
    expect(server.hits('/good')).toBe(before);
  });

  it('a huge chunked body is cut off at maxBytes', async () => {
    const { verifier, token } = oidcIssuer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"keys":[],"pad":"');
      for (let i = 0; i < 100; i += 1) res.write('a'.repeat(4096));
      res.end('"}');
    });
    await expectUnavailable(verifier.verify(await token()));
  });

  it('a declared content-length over maxBytes is refused', async () => {
    const body = JSON.stringify({ keys: [signer.publicJwk], pad: 'a'.repeat(70 * 1024) });
    const { verifier, token } = oidcIssuer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
    await expectUnavailable(verifier.verify(await token()));
  });

  it.each([
    ['non-JSON', () => (_req, res) => res.end('<html>not json</html>')],
    ['JSON without keys', () => sendJson({ jwks: [] })],
    ['keys not an array', () => sendJson({ keys: {} })],
    ['a key without kty', () => sendJson({ keys: [{ kid: 'k-1' }] })],
    ['private key material', () => sendJson({ keys: [{ ...signer.publicJwk, d: 'c2VjcmV0' }] })],
    [
      'a symmetric key',
      () => sendJson({ keys: [signer.publicJwk, { kty: 'oct', k: 'c2VjcmV0', kid: 'h' }] }),
    ],
  ] as [string, () => Handler][])('%s', async (_name, handler) => {
    const { verifier, token } = oidcIssuer(handler());
    await expectUnavailable(verifier.verify(await token()));
  });

  it('an unreachable endpoint', async () => {
    const verifier = build({
      oidc: [
        {
          name: 'gone',
          issuer: 'https://gone.example',
          jwks_uri: 'http://127.0.0.1:1/jwks',
          audience: 'writ',
        },
      ],
    });
    const token = await signer.token({
      iss: 'https://gone.example',
      sub: 'w',
      aud: 'writ',
      iat: NOW,
      exp: NOW + 60,
    });
    await expectUnavailable(verifier.verify(token));
  });

  it('a failing SPIFFE bundle URL and a missing bundle file', async () => {
    server.route('/bundle-down', fail(500));
    const fromUrl = build({
      spiffe: [{ trust_domain: 'example.org', bundle_url: `${server.url}/bundle-down` }],
    });
    await expectUnavailable(fromUrl.verify(await svid()));
    const fromFile = build({
      spiffe: [{ trust_domain: 'example.org', bundle_file: join(dir, 'missing.json') }],
    });
    await expectUnavailable(fromFile.verify(await svid()));
  });

  it('retries an empty cache only after a short backoff', async () => {
    const { verifier, token, jwksPath, setHandler } = oidcIssuer(fail(500));
    await expectUnavailable(verifier.verify(await token()));
    await expectUnavailable(verifier.verify(await token()));
    expect(server.hits(jwksPath)).toBe(1);
    setHandler(sendJson({ keys: [signer.publicJwk] }));
    clock.advance(5000);
    await expect(verifier.verify(await token())).resolves.toMatchObject({ principal: `oidc:idp-${route}:w` });
    expect(server.hits(jwksPath)).toBe(2);
  });
});

describe('cached keys', () => {
  beforeAll(() => {
    clock = createFixedClock(NOW_MS);
  });

  it('keep verifying when the endpoint goes down after a refresh is due', async () => {
    const { verifier, token, jwksPath, setHandler } = oidcIssuer(sendJson({ keys: [signer.publicJwk] }));
    await verifier.verify(await token());
    setHandler(fail(500));
    clock.advance(301_000);
    await expect(verifier.verify(await token())).resolves.toBeDefined();
    await waitUntil(() => server.hits(jwksPath) === 2);
    await expect(verifier.verify(await token())).resolves.toBeDefined();
  });

  it('refetch on an unknown kid at most once per cooldown, then pick up a rotated key', async () => {
    const { verifier, token, jwksPath, setHandler } = oidcIssuer(sendJson({ keys: [signer.publicJwk] }));
    await verifier.verify(await token());
    expect(server.hits(jwksPath)).toBe(1);
    // The set was just fetched: within the cooldown an unknown kid does not refetch it.
    await expectReason(verifier.verify(await token(rotated)), 'unknown_key');
    expect(server.hits(jwksPath)).toBe(1);
    clock.advance(30_000);
    for (let i = 0; i < 5; i += 1) await expectReason(verifier.verify(await token(rotated)), 'unknown_key');
    expect(server.hits(jwksPath)).toBe(2);
    setHandler(sendJson({ keys: [signer.publicJwk, rotated.publicJwk] }));
    clock.advance(29_000);
    await expectReason(verifier.verify(await token(rotated)), 'unknown_key');
    expect(server.hits(jwksPath)).toBe(2);
    clock.advance(1000);
    await expect(verifier.verify(await token(rotated))).resolves.toBeDefined();
    expect(server.hits(jwksPath)).toBe(3);
    await expect(verifier.verify(await token(signer))).resolves.toBeDefined();
    expect(server.hits(jwksPath)).toBe(3);
  });

  it('an unknown kid while the endpoint is down is unavailable, a known kid still verifies', async () => {
    const { verifier, token, setHandler } = oidcIssuer(sendJson({ keys: [signer.publicJwk] }));
    await verifier.verify(await token());
    setHandler(fail(503));
    clock.advance(30_000);
    await expectUnavailable(verifier.verify(await token(rotated)));
    await expect(verifier.verify(await token(signer))).resolves.toBeDefined();
  });

  it('a refresh returning private keys is ignored, the cached set stays', async () => {
    const { verifier, token, jwksPath, setHandler } = oidcIssuer(sendJson({ keys: [signer.publicJwk] }));
    await verifier.verify(await token());
    setHandler(sendJson({ keys: [{ ...rotated.publicJwk, d: 'c2VjcmV0' }] }));
    clock.advance(30_000);
    await expectUnavailable(verifier.verify(await token(rotated)));
    expect(server.hits(jwksPath)).toBe(2);
    await expect(verifier.verify(await token(signer))).resolves.toBeDefined();
  });
});

describe('SPIFFE bundles', () => {
  beforeAll(() => {
    clock = createFixedClock(NOW_MS);
  });

  it('verifies from a bundle file and re-reads it after the refresh hint', async () => {
    const file = join(dir, 'bundle.json');
    await writeFile(file, JSON.stringify({ keys: [{ ...signer.publicJwk, use: 'jwt-svid' }] }));
    const verifier = build({
      spiffe: [{ trust_domain: 'example.org', bundle_file: file, refresh_hint_seconds: 60 }],
    });
    await expect(verifier.verify(await svid())).resolves.toMatchObject({ issuerId: 'spiffe:example.org' });
    await writeFile(file, JSON.stringify({ keys: [{ ...rotated.publicJwk, use: 'jwt-svid' }] }));
    clock.advance(60_000);
    await verifier.verify(await svid());
    await expect(verifier.verify(await svid(rotated))).resolves.toBeDefined();
    await expectReason(verifier.verify(await svid(signer)), 'unknown_key');
  });

  it('verifies from a bundle URL, keeps only jwt-svid keys, and clamps spiffe_refresh_hint to 30 s', async () => {
    const x509 = await createTestSigner('ES256', 'x509-1');
    server.route(
      '/bundle',
      sendJson({
        spiffe_refresh_hint: 1,
        keys: [
          { ...signer.publicJwk, use: 'jwt-svid' },
          { ...x509.publicJwk, use: 'x509-svid' },
        ],
      }),
    );
    const verifier = build({ spiffe: [{ trust_domain: 'example.org', bundle_url: `${server.url}/bundle` }] });
    await expect(verifier.verify(await svid())).resolves.toMatchObject({
      principal: 'spiffe://example.org/w',
    });
    await expectReason(verifier.verify(await svid(x509)), 'unknown_key');
    expect(server.hits('/bundle')).toBe(1);
    clock.advance(29_000);
    await verifier.verify(await svid());
    expect(server.hits('/bundle')).toBe(1);
    clock.advance(1000);
    await verifier.verify(await svid());
    await waitUntil(() => server.hits('/bundle') === 2);
  });
});
