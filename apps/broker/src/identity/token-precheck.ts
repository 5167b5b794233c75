import { IdentityError } from './errors.js';

/** Header and claims of a token that passed the format pre-check; nothing here is authenticated. */
export interface UnverifiedToken {
  header: Record<string, unknown> & { alg: string };
  payload: Record<string, unknown>;
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;
const SIGNATURE_SEGMENT = /^[A-Za-z0-9_-]*$/;
// RFC 7515 §4.1.4-6, §4.1.11: a token must not choose its own key or the rules it is checked by.
const FORBIDDEN_HEADERS = ['jwk', 'jku', 'x5u', 'x5c', 'crit'];
const MAX_KID_LENGTH = 256;

/**
 * RFC 7515 §2 / RFC 4648 §3.5: only the canonical encoding is accepted. Decoders ignore the unused
 * low bits of the last character, so without this check one signature would have several
 * spellings and a mutated token could still verify.
 */
function decodeCanonical(segment: string): Buffer {
  const bytes = Buffer.from(segment, 'base64url');
  if (bytes.toString('base64url') !== segment) throw new IdentityError('malformed');
  return bytes;
}

function decodeJsonObject(segment: string): Record<string, unknown> {
  const bytes = decodeCanonical(segment);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new IdentityError('malformed');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new IdentityError('malformed');
  return value as Record<string, unknown>;
}

/** RFC 7515 §4.1.9 / RFC 9068 §2.1: `typ` compares case-insensitively, with or without `application/`. */
export function isAccessTokenType(typ: string): boolean {
  const normalized = typ.toLowerCase();
  return normalized === 'at+jwt' || normalized === 'application/at+jwt';
}

/**
 * The strict shape check that runs before any crypto or fetch: a string within the size cap,
 * exactly three base64url segments (so JWE's five segments and the JSON serializations fail here),
 * a JSON-object header with a string `alg` and no header parameter that would let the token pick
 * its own key, and a JSON-object payload.
 */
export function precheckToken(token: unknown, maxBytes: number): UnverifiedToken {
  if (typeof token !== 'string') throw new IdentityError('malformed');
  // UTF-16 length never exceeds UTF-8 length, and non-ASCII fails the segment check below.
  if (token.length > maxBytes) throw new IdentityError('too_large');
  const segments = token.split('.');
  if (segments.length !== 3) throw new IdentityError('malformed');
  const [headerPart, payloadPart, signaturePart] = segments as [string, string, string];
  if (!SEGMENT.test(headerPart) || !SEGMENT.test(payloadPart) || !SIGNATURE_SEGMENT.test(signaturePart)) {
    throw new IdentityError('malformed');
  }
  decodeCanonical(signaturePart);
  const header = decodeJsonObject(headerPart);
  if (typeof header.alg !== 'string') throw new IdentityError('malformed');
  if (FORBIDDEN_HEADERS.some((name) => Object.hasOwn(header, name)))
    throw new IdentityError('forbidden_header');
  // RFC 7518 §3.6 / RFC 8725 §3.1: unsecured and HMAC tokens never prove a workload identity.
  if (/^none$/i.test(header.alg) || /^HS/i.test(header.alg)) throw new IdentityError('alg_not_allowed');
  if (header.typ !== undefined) {
    if (typeof header.typ !== 'string') throw new IdentityError('malformed');
    if (isAccessTokenType(header.typ)) throw new IdentityError('is_writ');
  }
  if (header.kid !== undefined) {
    if (typeof header.kid !== 'string') throw new IdentityError('malformed');
    if (header.kid.length > MAX_KID_LENGTH) throw new IdentityError('unknown_key');
  }
  const payload = decodeJsonObject(payloadPart);
  return { header: header as UnverifiedToken['header'], payload };
}
