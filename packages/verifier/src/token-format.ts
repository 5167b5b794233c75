import { WritError } from './errors.js';

/** The broker refuses writs above 16 KiB; a verifier has no reason to parse more. */
export const MAX_WRIT_CHARS = 16 * 1024;

const SEGMENT = /^[A-Za-z0-9_-]+$/;
// The last character of a base64url segment carries spare bits when the length is not a multiple
// of 4 (RFC 4648 §3.5): they must be zero, or one token has several spellings.
const LAST_OF_2 = /[AQgw]$/; // length % 4 === 2: 4 spare bits
const LAST_OF_3 = /[AEIMQUYcgkosw048]$/; // length % 4 === 3: 2 spare bits

function isCanonicalSegment(segment: string): boolean {
  if (!SEGMENT.test(segment)) return false;
  switch (segment.length % 4) {
    case 0:
      return true;
    case 2:
      return LAST_OF_2.test(segment);
    case 3:
      return LAST_OF_3.test(segment);
    default:
      return false;
  }
}

/**
 * The pre-check before any crypto: a string of at most 16 KiB, three canonical base64url
 * segments (RFC 7515 §7.1, RFC 4648 §3.5), and a header that is a JSON object. Without the
 * canonical check, the last character of a signature has several spellings that all verify,
 * and a cache keyed by the token string could be sidestepped.
 */
export function checkTokenFormat(token: unknown): asserts token is string {
  if (typeof token !== 'string') throw new WritError('ERR_WRIT_MALFORMED', 'the writ is not a string');
  if (token.length > MAX_WRIT_CHARS) throw new WritError('ERR_WRIT_MALFORMED', 'the writ is too large');
  const segments = token.split('.');
  if (segments.length !== 3 || !segments.every(isCanonicalSegment)) {
    throw new WritError('ERR_WRIT_MALFORMED', 'the writ is not a compact JWS in canonical base64url');
  }
}
