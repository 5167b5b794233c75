import { OAuthError } from '../errors.js';

/** RFC 6750 §3.1: one body for a missing, malformed, unknown, wrong or disabled key. */
export function invalidOperatorCredentials(): OAuthError {
  return new OAuthError(401, 'invalid_token', 'invalid operator credentials', {
    'WWW-Authenticate': 'Bearer error="invalid_token"',
  });
}
