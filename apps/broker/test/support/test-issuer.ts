import { randomBytes } from 'node:crypto';
import { type CryptoKey, calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { type SpiffeTrustDomainConfig, spiffeTrustDomainSchema } from '../../src/identity/index.js';

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export const TEST_TRUST_DOMAIN = 'test.example';
export const TEST_SPIFFE_ISSUER = 'https://spire.test.example';

export interface TestIssuer {
  trustDomain: string;
  publicJwk: JWK;
  privateKey: CryptoKey;
  kid: string;
  config: SpiffeTrustDomainConfig;
  /** A JWT-SVID for `sub`; `claims` and `header` override or add fields. */
  /** Signs exactly the header and payload given, bypassing jose's own header checks (attack material). */
  signRaw(header: Record<string, unknown>, payload: Record<string, unknown>): Promise<string>;
  svid(
    sub: string,
    options?: {
      audience?: string | string[];
      claims?: Record<string, unknown>;
      header?: Record<string, unknown>;
    },
  ): Promise<string>;
}

/** A SPIFFE trust domain whose bundle is inline: tests mint workload identities without a network. */
export async function createTestIssuer(options: {
  audience: string;
  nowSeconds: () => number;
  trustDomain?: string;
}): Promise<TestIssuer> {
  const trustDomain = options.trustDomain ?? TEST_TRUST_DOMAIN;
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const config = spiffeTrustDomainSchema.parse({
    trust_domain: trustDomain,
    bundle: { keys: [{ ...publicJwk, kid, alg: 'ES256', use: 'jwt-svid' }] },
    issuer: TEST_SPIFFE_ISSUER,
    algorithms: ['ES256'],
  });
  return {
    trustDomain,
    publicJwk,
    privateKey,
    kid,
    config,
    async signRaw(header, payload) {
      const input = `${b64url(header)}.${b64url(payload)}`;
      const signature = await crypto.subtle.sign(
        { name: 'ECDSA', hash: 'SHA-256' },
        privateKey,
        new TextEncoder().encode(input),
      );
      return `${input}.${Buffer.from(signature).toString('base64url')}`;
    },
    svid(sub, opts = {}) {
      const now = options.nowSeconds();
      const payload = {
        iss: TEST_SPIFFE_ISSUER,
        sub,
        aud: opts.audience ?? options.audience,
        iat: now,
        exp: now + 300,
        jti: randomBytes(16).toString('base64url'),
        ...opts.claims,
      };
      return new SignJWT(payload)
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT', ...opts.header })
        .sign(privateKey);
    },
  };
}
