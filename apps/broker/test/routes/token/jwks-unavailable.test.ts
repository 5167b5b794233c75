import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oidcIssuerSchema } from '../../../src/identity/index.js';
import { BROKER_ISSUER, createTestBroker, type TestBroker } from '../../support/test-broker.js';
import { startForm } from '../../support/tokens.js';

/** a JWKS endpoint that is slow, failing, redirecting, huge or not JSON → 503, never 200. */
describe('POST /oauth2/token — identity issuer JWKS unavailable', () => {
  let server: Server;
  let base: string;
  let t: TestBroker;
  const behaviours: Record<string, (res: import('node:http').ServerResponse) => void> = {
    '/fail': (res) => {
      res.statusCode = 500;
      res.end('{}');
    },
    '/redirect': (res) => {
      res.statusCode = 302;
      res.setHeader('location', 'http://127.0.0.1:1/jwks');
      res.end();
    },
    '/huge': (res) => res.end(JSON.stringify({ keys: [], pad: 'x'.repeat(2 * 1024 * 1024) })),
    '/html': (res) => res.end('<html>hello</html>'),
    '/slow': (res) => setTimeout(() => res.end('{"keys":[]}'), 5000).unref(),
  };

  beforeAll(async () => {
    server = createServer((req, res) => (behaviours[req.url ?? ''] ?? behaviours['/fail'])?.(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    t = await createTestBroker({
      store: 'memory',
      config: (c) => ({
        ...c,
        trust: {
          ...c.trust,
          oidc: Object.keys(behaviours).map((path) =>
            oidcIssuerSchema.parse({
              name: path.slice(1),
              issuer: `https://${path.slice(1)}.idp.test.example`,
              jwks_uri: `${base}${path}`,
              audience: BROKER_ISSUER,
            }),
          ),
        },
      }),
    });
  });
  afterAll(async () => {
    await t.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it.each(Object.keys(behaviours))('JWKS %s → 503 temporarily_unavailable, no writ', async (path) => {
    const { privateKey } = await generateKeyPair('ES256');
    const now = t.clock.nowSeconds();
    const token = await new SignJWT({ sub: 'agent' })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer(`https://${path.slice(1)}.idp.test.example`)
      .setAudience(BROKER_ISSUER)
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(privateKey);
    const before = await t.snapshot();
    const res = await t.exchange(startForm(token));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(((await res.json()) as { error: string }).error).toBe('temporarily_unavailable');
    expect(await t.snapshot()).toEqual(before);
  });
});
