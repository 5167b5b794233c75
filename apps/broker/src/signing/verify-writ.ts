import { parseWritClaims, WRIT_TYP, type WritClaims } from '@writ/claims';
import { createLocalJWKSet, errors, jwtVerify } from 'jose';
import type { Clock } from '../shared/clock.js';
import { isCanonicalCompactJws } from './canonical-jws.js';
import { type KeyRing, SIGNING_ALGORITHMS } from './key-ring.js';

export class WritVerificationError extends Error {
  override name = 'WritVerificationError';
  constructor(readonly reason: string) {
    super(`writ rejected: ${reason}`);
  }
}

export interface WritVerifier {
  /** Signature, `typ`, issuer, time and claim shape; liveness of the task is the caller's check. */
  verify(token: string): Promise<WritClaims>;
}

export function createWritVerifier(options: {
  keyRing: KeyRing;
  issuer: string;
  clock: Clock;
}): WritVerifier {
  const keySet = createLocalJWKSet(options.keyRing.publicJwks());
  return {
    async verify(token) {
      if (typeof token !== 'string' || !isCanonicalCompactJws(token)) {
        throw new WritVerificationError('malformed');
      }
      let payload: unknown;
      try {
        ({ payload } = await jwtVerify(token, keySet, {
          issuer: options.issuer,
          // RFC 9068 §4: resource servers must check typ so an identity token can't pass as a writ.
          typ: WRIT_TYP,
          algorithms: [...SIGNING_ALGORITHMS],
          requiredClaims: ['exp', 'iat', 'jti', 'sub'],
          currentDate: new Date(options.clock.nowMs()),
          clockTolerance: 5,
        }));
      } catch (err) {
        throw new WritVerificationError(reasonOf(err));
      }
      const parsed = parseWritClaims(payload);
      if (!parsed.ok) throw new WritVerificationError('bad_claims');
      return parsed.claims;
    },
  };
}

function reasonOf(err: unknown): string {
  if (err instanceof errors.JWTExpired) return 'expired';
  if (err instanceof errors.JOSEError) {
    switch (err.code) {
      case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      case 'ERR_JWKS_NO_MATCHING_KEY':
      case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
        return 'bad_signature';
      case 'ERR_JOSE_ALG_NOT_ALLOWED':
        return 'alg_not_allowed';
      case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
        return 'bad_claims';
      default:
        return 'malformed';
    }
  }
  return 'malformed';
}
