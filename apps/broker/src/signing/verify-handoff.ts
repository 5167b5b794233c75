import { HANDOFF_TYP, type HandoffClaims, parseHandoffClaims } from '@writ/claims';
import { createLocalJWKSet, jwtVerify } from 'jose';
import type { Clock } from '../shared/clock.js';
import { isCanonicalCompactJws } from './canonical-jws.js';
import { type KeyRing, SIGNING_ALGORITHMS } from './key-ring.js';
import { reasonOf, WritVerificationError } from './verify-writ.js';

export interface HandoffVerifier {
  /**
   * Signature, `typ` (writ-handoff+jwt), issuer, audience (the broker itself), time and claim
   * shape. Single use and the parent's liveness are the caller's checks, in the store.
   */
  verify(token: string): Promise<HandoffClaims>;
}

export interface HandoffVerifierOptions {
  keyRing: KeyRing;
  issuer: string;
  clock: Clock;
}

/**
 * Verifies the broker's own handoffs (docs/handoff.md), on its own clock: no tolerance, as for
 * writs. Nothing is cached: a handoff is presented once.
 */
export function createHandoffVerifier(options: HandoffVerifierOptions): HandoffVerifier {
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
          audience: options.issuer,
          // A writ (at+jwt) or an identity token is never a handoff, and a handoff never a writ.
          typ: HANDOFF_TYP,
          algorithms: [...SIGNING_ALGORITHMS],
          requiredClaims: ['exp', 'iat', 'jti', 'sub', 'may_act'],
          currentDate: new Date(options.clock.nowMs()),
          clockTolerance: 0,
        }));
      } catch (err) {
        throw new WritVerificationError(reasonOf(err));
      }
      const parsed = parseHandoffClaims(payload);
      if (!parsed.ok) throw new WritVerificationError('bad_claims');
      return parsed.claims;
    },
  };
}
