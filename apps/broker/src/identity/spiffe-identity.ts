import { LIMITS } from '@writ/claims';
import type { JWTPayload } from 'jose';
import { IdentityError } from './errors.js';
import type { SpiffeTrustDomainConfig } from './issuer-config.js';
import { parseSpiffeId } from './spiffe-id.js';
import type { WorkloadIdentity } from './workload-identity.js';

type VerifiedTimes = Pick<WorkloadIdentity, 'issuedAt' | 'expiresAt' | 'tokenId' | 'maxTokenAgeSeconds'>;

/**
 * SPIFFE JWT-SVID §3: `sub` is the workload's SPIFFE ID. It must be valid and inside the trust
 * domain whose keys signed the token; the ID itself is the principal.
 */
export function toSpiffeIdentity(
  config: SpiffeTrustDomainConfig,
  payload: JWTPayload,
  times: VerifiedTimes,
): WorkloadIdentity {
  const id = parseSpiffeId(payload.sub);
  // A writ names its principal in `sub` (at most LIMITS.maxPrincipalLength): a longer SPIFFE ID,
  // valid as it may be, could never be issued a writ, so it is refused here, as a bad subject.
  if (
    id === undefined ||
    id.trustDomain !== config.trust_domain ||
    typeof payload.sub !== 'string' ||
    payload.sub.length > LIMITS.maxPrincipalLength
  ) {
    throw new IdentityError('bad_subject');
  }
  return {
    principal: payload.sub,
    issuerId: `spiffe:${config.trust_domain}`,
    kind: 'spiffe',
    subject: payload.sub,
    attributes: { trust_domain: id.trustDomain, path: id.path },
    ...times,
  };
}
