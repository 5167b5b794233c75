const MAX_WRIT_CHARS = 16 * 1024;

/**
 * True when every segment of a compact JWS is the canonical base64url of its bytes (RFC 7515
 * §2 and RFC 4648 §3.5: spare bits are zero). Decoders in common use ignore spare bits, so
 * without this check the last character of a signature has several spellings that all verify:
 * one writ, many strings — a denylist or cache keyed by the string could be sidestepped.
 */
export function isCanonicalCompactJws(token: string): boolean {
  if (token.length > MAX_WRIT_CHARS) return false;
  const segments = token.split('.');
  return (
    segments.length === 3 &&
    segments.every((segment) => Buffer.from(segment, 'base64url').toString('base64url') === segment)
  );
}
