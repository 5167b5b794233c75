import { randomBytes } from 'node:crypto';
import { freePort } from '@writ/test/harness';
import { type CryptoKey, calculateJwkThumbprint, decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { BROKER_NODE_ARGS } from './built-broker.js';
import { type BenchChild, startBenchChild } from './child-process.js';
import { SERVER_CORE } from './pinning.js';

export interface OidcTarget {
  url: string;
  tokenPath: string;
  /** `count` token request bodies, each with a fresh client assertion (distinct jti). */
  bodies(count: number): Promise<string[]>;
  child: BenchChild;
}

const CLIENT_ID = 'bench';
const RESOURCE = 'https://tickets.example.com';

/**
 * Starts oidc-provider (oidc-child.ts) pinned to the broker's core and checks that one
 * client_credentials + private_key_jwt request returns 200 with a JWT access token.
 */
export async function startOidcTarget(): Promise<OidcTarget> {
  const client = await generateKeyPair('ES256', { extractable: true });
  const clientPublic = await exportJWK(client.publicKey);
  const clientKid = await calculateJwkThumbprint(clientPublic);
  const server = await generateKeyPair('ES256', { extractable: true });
  const serverJwk = await exportJWK(server.privateKey);
  const serverKid = await calculateJwkThumbprint(await exportJWK(server.publicKey));
  const port = await freePort();
  const { child, ready } = await startBenchChild<{ url: string; issuer: string }>(
    './oidc-child.ts',
    {
      WRIT_BENCH_PORT: String(port),
      WRIT_BENCH_CLIENT_JWK: JSON.stringify({ ...clientPublic, kid: clientKid, alg: 'ES256', use: 'sig' }),
      WRIT_BENCH_SIGNING_JWK: JSON.stringify({ ...serverJwk, kid: serverKid, alg: 'ES256', use: 'sig' }),
      NODE_ENV: 'production',
    },
    30_000,
    0,
    { core: SERVER_CORE, nodeArgs: BROKER_NODE_ARGS },
  );
  const tokenPath = '/token';
  const audience = `${ready.issuer}${tokenPath}`;
  const bodies = (count: number) =>
    Promise.all(Array.from({ length: count }, () => tokenBody(client.privateKey, clientKid, audience)));
  const target: OidcTarget = { url: ready.url, tokenPath, bodies, child };
  try {
    const res = await fetch(`${ready.url}${tokenPath}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: (await bodies(1))[0] ?? '',
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`oidc-provider token endpoint answered ${res.status}: ${text}`);
    const token = (JSON.parse(text) as { access_token?: string }).access_token ?? '';
    const claims = decodeJwt(token);
    if (claims.aud !== RESOURCE) throw new Error(`oidc-provider access token is not a JWT for ${RESOURCE}`);
  } catch (err) {
    await child.stop();
    throw err;
  }
  return target;
}

async function tokenBody(key: CryptoKey, kid: string, audience: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const assertion = await new SignJWT({ jti: randomBytes(16).toString('base64url') })
    .setProtectedHeader({ alg: 'ES256', kid })
    .setIssuer(CLIENT_ID)
    .setSubject(CLIENT_ID)
    .setAudience(audience)
    .setIssuedAt(now)
    .setExpirationTime(now + 600)
    .sign(key);
  return new URLSearchParams({
    grant_type: 'client_credentials',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
    resource: RESOURCE,
    scope: 'tickets.read',
  }).toString();
}
