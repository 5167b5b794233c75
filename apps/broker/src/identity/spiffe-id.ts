/** A parsed SPIFFE ID: `spiffe://<trustDomain><path>`. */
export interface SpiffeId {
  trustDomain: string;
  path: string;
}

const SCHEME = 'spiffe://';
// SPIFFE-ID spec §2.1 / §2.2: trust domain and path segment character sets; §2.3: 2048 bytes max.
const TRUST_DOMAIN = /^[a-z0-9._-]{1,255}$/;
const PATH_SEGMENT = /^[A-Za-z0-9._-]+$/;
const MAX_ID_LENGTH = 2048;

/** True when `value` is a valid SPIFFE trust domain name (lowercase, no port or userinfo). */
export function isValidTrustDomain(value: string): boolean {
  return TRUST_DOMAIN.test(value);
}

/**
 * The trust domain named by a string that claims to be a SPIFFE ID, without validating the path:
 * used only to pick which trust domain's keys to check a token against.
 */
export function readTrustDomain(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value.startsWith(SCHEME) || value.length > MAX_ID_LENGTH)
    return undefined;
  const rest = value.slice(SCHEME.length);
  const slash = rest.indexOf('/');
  const trustDomain = slash === -1 ? rest : rest.slice(0, slash);
  return isValidTrustDomain(trustDomain) ? trustDomain : undefined;
}

/**
 * Parses a workload SPIFFE ID strictly: a non-empty path is required (an ID naming only the trust
 * domain identifies no workload), and no query, fragment, port, userinfo or percent-encoding.
 */
export function parseSpiffeId(value: unknown): SpiffeId | undefined {
  const trustDomain = readTrustDomain(value);
  if (trustDomain === undefined || typeof value !== 'string') return undefined;
  const path = value.slice(SCHEME.length + trustDomain.length);
  if (!path.startsWith('/')) return undefined;
  const segments = path.slice(1).split('/');
  for (const segment of segments) {
    // SPIFFE-ID spec §2.2: empty, '.' and '..' segments are forbidden.
    if (!PATH_SEGMENT.test(segment) || segment === '.' || segment === '..') return undefined;
  }
  return { trustDomain, path };
}
