import type { JWTPayload, JWTVerifyOptions } from 'jose';
import { IdentityError } from './errors.js';
import type { TrustConfig } from './issuer-config.js';
import type { KeySource } from './key-sources/cached-key-source.js';
import type { KeySourceIo } from './key-sources/key-source-io.js';
import { createOidcKeySource } from './key-sources/oidc-key-source.js';
import { createSpiffeBundleSource } from './key-sources/spiffe-bundle-source.js';
import { toOidcIdentity } from './oidc-identity.js';
import { readTrustDomain } from './spiffe-id.js';
import { toSpiffeIdentity } from './spiffe-identity.js';
import type { WorkloadIdentity } from './workload-identity.js';

/** One configured issuer, ready to check tokens: its keys, its rules, its principal mapping. */
export interface TrustedIssuer {
  id: string;
  audience: string;
  algorithms: string[];
  maxLifetimeSeconds: number;
  /** max_token_age_seconds plus clock_tolerance_seconds: the oldest `iat` jose still accepts. */
  maxTokenAgeSeconds: number;
  keys: KeySource;
  verifyOptions: Omit<JWTVerifyOptions, 'currentDate'>;
  toIdentity(
    payload: JWTPayload,
    times: Pick<WorkloadIdentity, 'issuedAt' | 'expiresAt' | 'tokenId' | 'maxTokenAgeSeconds'>,
  ): WorkloadIdentity;
}

export interface IssuerRegistry {
  /** Picks the only issuer whose keys may decide this (unverified) payload. */
  select(payload: Record<string, unknown>): TrustedIssuer;
  close(): void;
}

export interface IssuerRegistryOptions {
  trust: TrustConfig;
  audience: string;
  brokerIssuer: string;
  io: KeySourceIo;
}

const REQUIRED_CLAIMS = ['exp', 'iat', 'sub'];

/** jose accepts a token up to maxTokenAge plus the clock tolerance after its `iat`. */
function acceptedTokenAge(config: { max_token_age_seconds: number; clock_tolerance_seconds: number }) {
  return config.max_token_age_seconds + config.clock_tolerance_seconds;
}

/** Every configured issuer id with the longest its tokens are accepted after their `iat` (s). */
export function acceptedTokenAges(trust: TrustConfig): Map<string, number> {
  return new Map([
    ...trust.spiffe.map((td) => [`spiffe:${td.trust_domain}`, acceptedTokenAge(td)] as const),
    ...trust.oidc.map((o) => [`oidc:${o.name}`, acceptedTokenAge(o)] as const),
  ]);
}

/**
 * Builds one verifier per configured issuer. Trust is never merged: each issuer's tokens are
 * checked with that issuer's keys, algorithms and limits only.
 */
export function createIssuerRegistry(options: IssuerRegistryOptions): IssuerRegistry {
  const { trust, audience, brokerIssuer, io } = options;
  const byIss = new Map<string, TrustedIssuer>();
  const byTrustDomain = new Map<string, TrustedIssuer>();

  for (const config of trust.oidc) {
    if (config.issuer === brokerIssuer)
      throw new Error(`oidc issuer ${config.name} uses the broker's own issuer`);
    byIss.set(config.issuer, {
      id: `oidc:${config.name}`,
      audience: config.audience,
      algorithms: config.algorithms,
      maxLifetimeSeconds: config.max_lifetime_seconds,
      maxTokenAgeSeconds: acceptedTokenAge(config),
      keys: createOidcKeySource(config, io),
      verifyOptions: {
        algorithms: config.algorithms,
        issuer: config.issuer,
        audience: config.audience,
        clockTolerance: config.clock_tolerance_seconds,
        maxTokenAge: config.max_token_age_seconds,
        requiredClaims: REQUIRED_CLAIMS,
      },
      toIdentity: (payload, times) => toOidcIdentity(config, payload, times),
    });
  }
  for (const config of trust.spiffe) {
    if (config.issuer === brokerIssuer) {
      throw new Error(`trust domain ${config.trust_domain} uses the broker's own issuer`);
    }
    byTrustDomain.set(config.trust_domain, {
      id: `spiffe:${config.trust_domain}`,
      audience,
      algorithms: config.algorithms,
      maxLifetimeSeconds: config.max_lifetime_seconds,
      maxTokenAgeSeconds: acceptedTokenAge(config),
      keys: createSpiffeBundleSource(config, io),
      verifyOptions: {
        algorithms: config.algorithms,
        ...(config.issuer === undefined ? {} : { issuer: config.issuer }),
        audience,
        clockTolerance: config.clock_tolerance_seconds,
        maxTokenAge: config.max_token_age_seconds,
        requiredClaims: REQUIRED_CLAIMS,
      },
      toIdentity: (payload, times) => toSpiffeIdentity(config, payload, times),
    });
  }

  return {
    select(payload) {
      const { iss, sub } = payload;
      if (iss === brokerIssuer) throw new IdentityError('is_writ');
      const oidc = typeof iss === 'string' ? byIss.get(iss) : undefined;
      if (oidc !== undefined) return oidc;
      const trustDomain = readTrustDomain(sub);
      const spiffe = trustDomain === undefined ? undefined : byTrustDomain.get(trustDomain);
      if (spiffe !== undefined) return spiffe;
      throw new IdentityError('untrusted_issuer');
    },
    close() {
      for (const issuer of [...byIss.values(), ...byTrustDomain.values()]) issuer.keys.close();
    },
  };
}
