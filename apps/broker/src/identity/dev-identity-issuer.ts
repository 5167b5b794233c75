import { randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JSONWebKeySet, SignJWT } from 'jose';
import type { Clock } from '../shared/clock.js';
import { IdentityError } from './errors.js';
import { type SpiffeTrustDomainConfig, spiffeTrustDomainSchema } from './issuer-config.js';
import { parseSpiffeId } from './spiffe-id.js';

export interface DevIdentityIssuerOptions {
  /** The broker's audience, put in every SVID's `aud`. */
  audience: string;
  /** The `iss` of every SVID; must differ from the broker's own issuer. */
  issuer: string;
  clock: Clock;
}

export interface DevIdentityIssuer {
  trustDomain: 'dev.local';
  /** The public bundle (no private key material). */
  jwks: JSONWebKeySet;
  /** Signs a 5-minute ES256 JWT-SVID for a SPIFFE ID in spiffe://dev.local/. */
  issue(spiffeId: string): Promise<string>;
  /** A trust-domain config (inline bundle, exact issuer) that trusts this issuer. */
  spiffeConfig(): SpiffeTrustDomainConfig;
}

const TRUST_DOMAIN = 'dev.local';
const SVID_LIFETIME_SECONDS = 300;

/**
 * The built-in identity issuer of dev mode: an ephemeral ES256 key that mints JWT-SVIDs for
 * `spiffe://dev.local/...`, so agents can be tried without SPIRE. Never for production.
 *
 * @example
 * const dev = await createDevIdentityIssuer({ audience, issuer: 'https://dev-idp.local', clock });
 * const svid = await dev.issue('spiffe://dev.local/agent/planner');
 */
export async function createDevIdentityIssuer(options: DevIdentityIssuerOptions): Promise<DevIdentityIssuer> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const jwks: JSONWebKeySet = { keys: [{ ...publicJwk, kid, alg: 'ES256', use: 'jwt-svid' }] };

  return {
    trustDomain: TRUST_DOMAIN,
    jwks,
    async issue(spiffeId) {
      if (parseSpiffeId(spiffeId)?.trustDomain !== TRUST_DOMAIN) throw new IdentityError('bad_subject');
      const now = options.clock.nowSeconds();
      return new SignJWT({})
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
        .setSubject(spiffeId)
        .setAudience(options.audience)
        .setIssuer(options.issuer)
        .setIssuedAt(now)
        .setExpirationTime(now + SVID_LIFETIME_SECONDS)
        .setJti(randomBytes(16).toString('base64url'))
        .sign(privateKey);
    },
    spiffeConfig() {
      return spiffeTrustDomainSchema.parse({
        trust_domain: TRUST_DOMAIN,
        bundle: structuredClone(jwks),
        issuer: options.issuer,
      });
    },
  };
}
