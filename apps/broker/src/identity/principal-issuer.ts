import { parseSpiffeId } from './spiffe-id.js';

const OIDC_PRINCIPAL = /^oidc:([a-z0-9-]{1,40}):(.+)$/s;
const MAX_OIDC_CLAIM_LENGTH = 512;
// The same characters oidc-identity.ts refuses in a principal claim.
const FORBIDDEN_IN_CLAIM = /[{}\s\p{Cc}]/u;

/**
 * The issuer id (`spiffe:<trust domain>` or `oidc:<name>`) of a principal as the identity
 * verifier would have produced it; undefined when no verified token could ever map to it (a
 * malformed SPIFFE ID, an upper-case trust domain, a bad `oidc:` name or claim value).
 */
export function issuerIdOfPrincipal(principal: string): string | undefined {
  if (principal.startsWith('spiffe://')) {
    const id = parseSpiffeId(principal);
    return id === undefined ? undefined : `spiffe:${id.trustDomain}`;
  }
  const oidc = OIDC_PRINCIPAL.exec(principal);
  const [, name, claim] = oidc ?? [];
  if (name === undefined || claim === undefined) return undefined;
  if (claim.length > MAX_OIDC_CLAIM_LENGTH || FORBIDDEN_IN_CLAIM.test(claim)) return undefined;
  return `oidc:${name}`;
}
