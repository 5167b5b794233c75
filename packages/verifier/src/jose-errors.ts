import { errors } from 'jose';
import { WritError, type WritErrorCode } from './errors.js';

const CLAIM_CODES: Record<string, WritErrorCode> = {
  iss: 'ERR_WRIT_ISSUER',
  aud: 'ERR_WRIT_AUDIENCE',
  typ: 'ERR_WRIT_TYPE',
  nbf: 'ERR_WRIT_NOT_YET_VALID',
  exp: 'ERR_WRIT_EXPIRED',
};

const JOSE_CODES: Record<string, WritErrorCode> = {
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'ERR_WRIT_SIGNATURE',
  ERR_JWKS_NO_MATCHING_KEY: 'ERR_WRIT_SIGNATURE',
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: 'ERR_WRIT_SIGNATURE',
  ERR_JOSE_ALG_NOT_ALLOWED: 'ERR_WRIT_ALGORITHM',
  ERR_JWKS_TIMEOUT: 'ERR_WRIT_UNAVAILABLE',
  ERR_JWKS_INVALID: 'ERR_WRIT_UNAVAILABLE',
};

/** Maps what jose threw to a WritError; anything not from jose (a failed key fetch) is unavailable. */
export function toWritError(err: unknown): WritError {
  if (err instanceof WritError) return err;
  if (err instanceof errors.JWTExpired) return new WritError('ERR_WRIT_EXPIRED', 'the writ has expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    const code = err.reason === 'missing' ? 'ERR_WRIT_CLAIMS' : (CLAIM_CODES[err.claim] ?? 'ERR_WRIT_CLAIMS');
    return new WritError(code, `the writ's ${err.claim} is not acceptable (${err.reason})`);
  }
  if (err instanceof errors.JOSEError) {
    const code = JOSE_CODES[err.code] ?? 'ERR_WRIT_MALFORMED';
    return new WritError(code, `the writ was refused (${err.code})`);
  }
  return new WritError('ERR_WRIT_UNAVAILABLE', 'the broker keys could not be read', { cause: err });
}
