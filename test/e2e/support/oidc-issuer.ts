import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';

export interface LoopbackOidcIssuer {
  issuer: string;
  /** A workload JWT for `sub`, 5 minutes, for `audience`. */
  token(sub: string, audience: string, claims?: Record<string, unknown>): Promise<string>;
  /** How many times the JWKS was fetched. */
  jwksHits(): number;
  close(): Promise<void>;
}

/** An OIDC issuer on 127.0.0.1 serving discovery and JWKS, as a CI or Kubernetes issuer would. */
export async function startOidcIssuer(): Promise<LoopbackOidcIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  let hits = 0;
  let issuer = '';
  const server: Server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration') {
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
    } else if (req.url === '/jwks') {
      hits++;
      res.end(JSON.stringify({ keys: [{ ...jwk, kid, alg: 'ES256', use: 'sig' }] }));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    token: (sub, audience, claims = {}) =>
      sign(privateKey, kid, { iss: issuer, sub, aud: audience, ...claims }),
    jwksHits: () => hits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function sign(key: CryptoKey, kid: string, payload: Record<string, unknown>) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
    .setIssuedAt(now)
    .setExpirationTime(now + 300)
    .sign(key);
}
