import { errors, type JWTPayload, type JWTVerifyOptions, jwtVerify, type LocalJWKSet } from 'jose';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { IdentityError, IdentityUnavailableError } from './errors.js';
import type { TrustConfig } from './issuer-config.js';
import { mapJoseError } from './map-jose-error.js';
import { precheckToken } from './token-precheck.js';
import { createIssuerRegistry, type TrustedIssuer } from './trusted-issuers.js';
import type { WorkloadIdentity } from './workload-identity.js';

export interface IdentityVerifierOptions {
  trust: TrustConfig;
  /** The broker's own audience; a JWT-SVID's `aud` must be exactly this. */
  audience: string;
  /** Tokens with this `iss` are writs, never identities. */
  brokerIssuer: string;
  clock: Clock;
  logger: Logger;
  fetch?: typeof fetch;
  jwks?: { timeoutMs?: number; maxBytes?: number; cooldownMs?: number };
  maxTokenBytes?: number;
}

export interface IdentityVerifier {
  /** Throws IdentityError (refused → 400) or IdentityUnavailableError (keys unknown → 503). */
  verify(token: string): Promise<WorkloadIdentity>;
  /**
   * Every JWS algorithm some trusted issuer may sign identities with (RFC 8414
   * `token_endpoint_auth_signing_alg_values_supported`: an identity is also a client assertion).
   */
  readonly algorithms: readonly string[];
  close(): void;
}

const MAX_TOKEN_ID_LENGTH = 256;

function hasJoseCode(error: unknown, ...codes: string[]): error is errors.JOSEError {
  return error instanceof errors.JOSEError && codes.includes(error.code);
}

async function verifyWithKeySet(
  token: string,
  keys: LocalJWKSet,
  options: JWTVerifyOptions,
): Promise<JWTPayload> {
  try {
    return (await jwtVerify(token, keys, options)).payload;
  } catch (error) {
    if (!hasJoseCode(error, 'ERR_JWKS_MULTIPLE_MATCHING_KEYS')) throw error;
    // Several keys fit a token without `kid`: the signature decides which one, if any, signed it.
    for await (const key of error as errors.JWKSMultipleMatchingKeys) {
      try {
        return (await jwtVerify(token, key, options)).payload;
      } catch (attempt) {
        if (!hasJoseCode(attempt, 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED')) throw attempt;
      }
    }
    throw new errors.JWSSignatureVerificationFailed();
  }
}

function toIdentityFailure(error: unknown, issuer: TrustedIssuer, logger: Logger): unknown {
  if (error instanceof IdentityError || error instanceof IdentityUnavailableError) return error;
  const mapped = mapJoseError(error);
  if (mapped !== undefined) return mapped;
  if (hasJoseCode(error, 'ERR_JWK_INVALID', 'ERR_JWKS_INVALID')) {
    // A key the issuer published cannot be used: no key available can decide.
    logger.error({ issuerId: issuer.id, code: error.code }, 'identity issuer key unusable');
    return new IdentityUnavailableError(issuer.id, { cause: error });
  }
  logger.error({ issuerId: issuer.id, err: error }, 'identity verification failed unexpectedly');
  return error;
}

async function verifySignature(token: string, issuer: TrustedIssuer, clock: Clock, logger: Logger) {
  const options: JWTVerifyOptions = { ...issuer.verifyOptions, currentDate: new Date(clock.nowMs()) };
  try {
    try {
      return await verifyWithKeySet(token, await issuer.keys.getKeys(), options);
    } catch (error) {
      if (!hasJoseCode(error, 'ERR_JWKS_NO_MATCHING_KEY')) throw error;
      const refreshed = await issuer.keys.refreshForUnknownKey();
      if (refreshed === undefined) throw new IdentityError('unknown_key');
      return await verifyWithKeySet(token, refreshed, options);
    }
  } catch (error) {
    throw toIdentityFailure(error, issuer, logger);
  }
}

/** RFC 7519 §4.1.3 allows many audiences; a token for the broker must name only the broker. */
function hasSingleAudience(aud: unknown, expected: string): boolean {
  if (typeof aud === 'string') return aud === expected;
  return Array.isArray(aud) && aud.length === 1 && aud[0] === expected;
}

/**
 * Verifies a workload identity token (SPIFFE JWT-SVID or OIDC ID token) against the one configured
 * issuer it claims, and maps it to a principal. Every refusal is an IdentityError with a stable
 * reason; when the issuer's keys cannot be obtained it is an IdentityUnavailableError.
 */
export function createIdentityVerifier(options: IdentityVerifierOptions): IdentityVerifier {
  const { clock } = options;
  const logger = options.logger.child({ component: 'identity' });
  const maxTokenBytes = options.maxTokenBytes ?? 8192;
  const registry = createIssuerRegistry({
    trust: options.trust,
    audience: options.audience,
    brokerIssuer: options.brokerIssuer,
    io: {
      fetch: options.fetch ?? globalThis.fetch,
      timeoutMs: options.jwks?.timeoutMs ?? 2000,
      maxBytes: options.jwks?.maxBytes ?? 256 * 1024,
      cooldownMs: options.jwks?.cooldownMs ?? 30_000,
      clock,
      logger,
    },
  });

  const algorithms = [
    ...new Set([...options.trust.spiffe, ...options.trust.oidc].flatMap((issuer) => issuer.algorithms)),
  ];
  return {
    algorithms,
    async verify(token) {
      const { header, payload: unverified } = precheckToken(token, maxTokenBytes);
      const issuer = registry.select(unverified);
      if (!issuer.algorithms.includes(header.alg)) throw new IdentityError('alg_not_allowed');
      const payload = await verifySignature(token, issuer, clock, logger);
      if (!hasSingleAudience(payload.aud, issuer.audience)) throw new IdentityError('bad_audience');
      const { iat, exp, jti } = payload;
      // jose has checked both are numbers (requiredClaims + maxTokenAge); exp <= iat is nonsense.
      if (typeof iat !== 'number' || typeof exp !== 'number' || exp <= iat)
        throw new IdentityError('malformed');
      if (exp - iat > issuer.maxLifetimeSeconds) throw new IdentityError('lifetime_exceeded');
      const tokenId = typeof jti === 'string' && jti.length <= MAX_TOKEN_ID_LENGTH ? jti : undefined;
      return issuer.toIdentity(payload, {
        issuedAt: iat,
        expiresAt: exp,
        maxTokenAgeSeconds: issuer.maxTokenAgeSeconds,
        ...(tokenId ? { tokenId } : {}),
      });
    },
    close() {
      registry.close();
    },
  };
}
