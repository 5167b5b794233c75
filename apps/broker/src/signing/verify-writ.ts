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

/**
 * The broker signs and checks its own writs on one clock: no tolerance (RFC 7519 §4.1.4 makes
 * leeway optional). A tolerance let an expired writ be re-exchanged for a fresh one, again and
 * again, keeping a 1-second writ usable until its task ended.
 */
const CLOCK_TOLERANCE_SECONDS = 0;

export interface WritVerifierOptions {
  keyRing: KeyRing;
  issuer: string;
  clock: Clock;
  /** Verified writs remembered by their exact token string; default 10,000. */
  cacheSize?: number;
}

/**
 * Verifies the broker's own writs. An agent presents the same writ for many calls: a writ that
 * verified once is remembered by its exact token string (never by `jti`, which an attacker can
 * copy into a forged token), so a repeat costs a map lookup and the time checks. Liveness is
 * never cached: callers ask the store every time.
 */
export function createWritVerifier(options: WritVerifierOptions): WritVerifier {
  const keySet = createLocalJWKSet(options.keyRing.publicJwks());
  const verified = createVerifiedWritCache(options.cacheSize ?? 10_000);
  return {
    async verify(token) {
      if (typeof token !== 'string') throw new WritVerificationError('malformed');
      // Whole seconds, as jose compares NumericDates, so the cache and a full check agree.
      const nowSeconds = Math.floor(options.clock.nowMs() / 1000);
      const known = verified.get(token, nowSeconds);
      if (known) return known;
      if (!isCanonicalCompactJws(token)) throw new WritVerificationError('malformed');
      let payload: unknown;
      try {
        ({ payload } = await jwtVerify(token, keySet, {
          issuer: options.issuer,
          // RFC 9068 §4: resource servers must check typ so an identity token can't pass as a writ.
          typ: WRIT_TYP,
          algorithms: [...SIGNING_ALGORITHMS],
          requiredClaims: ['exp', 'iat', 'jti', 'sub'],
          currentDate: new Date(options.clock.nowMs()),
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
        }));
      } catch (err) {
        throw new WritVerificationError(reasonOf(err));
      }
      const parsed = parseWritClaims(payload);
      if (!parsed.ok) throw new WritVerificationError('bad_claims');
      verified.set(token, parsed.claims);
      return parsed.claims;
    },
  };
}

/** Bounded, oldest entry first out; an entry past its writ's `exp` is dropped when met. */
function createVerifiedWritCache(maxEntries: number) {
  const entries = new Map<string, WritClaims>();
  return {
    get(token: string, nowSeconds: number): WritClaims | undefined {
      const claims = entries.get(token);
      if (!claims) return undefined;
      // The same time rules as the full verification (jose's exp and nbf checks).
      if (claims.exp <= nowSeconds - CLOCK_TOLERANCE_SECONDS) {
        entries.delete(token);
        return undefined;
      }
      if (claims.nbf !== undefined && claims.nbf > nowSeconds + CLOCK_TOLERANCE_SECONDS) return undefined;
      return claims;
    },
    set(token: string, claims: WritClaims): void {
      if (maxEntries <= 0) return;
      if (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
      entries.set(token, Object.freeze(claims));
    },
  };
}

/** A short, loggable reason for a jose verification failure. */
export function reasonOf(err: unknown): string {
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
