import { errors } from 'jose';
import { IdentityError, type IdentityErrorReason } from './errors.js';

function reasonForClaim(claim: string, reason: string): IdentityErrorReason {
  if (claim === 'aud') return 'bad_audience';
  if (reason === 'missing') return 'missing_claim';
  if (reason === 'invalid') return 'malformed';
  if (claim === 'nbf' || claim === 'iat') return 'not_yet_valid';
  if (claim === 'iss') return 'untrusted_issuer';
  if (claim === 'sub') return 'bad_subject';
  return 'malformed';
}

/**
 * Maps a jose failure to our reason by jose's stable `code` (and the failing claim), never by
 * message. Returns undefined for anything that is not a jose token error, which the caller lets
 * propagate as an unexpected failure.
 */
export function mapJoseError(error: unknown): IdentityError | undefined {
  if (!(error instanceof errors.JOSEError)) return undefined;
  // No `cause`: jose claim errors carry the token's claims, which must not reach logs via the chain.
  switch (error.code) {
    case 'ERR_JWT_EXPIRED': {
      const claim = (error as errors.JWTExpired).claim;
      return new IdentityError(claim === 'iat' ? 'too_old' : 'expired');
    }
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED': {
      const failure = error as errors.JWTClaimValidationFailed;
      return new IdentityError(reasonForClaim(failure.claim, failure.reason));
    }
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return new IdentityError('bad_signature');
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return new IdentityError('alg_not_allowed');
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return new IdentityError('unknown_key');
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return new IdentityError('malformed');
    default:
      return undefined;
  }
}
