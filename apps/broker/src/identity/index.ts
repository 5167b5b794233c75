export { createDevIdentityIssuer, type DevIdentityIssuer } from './dev-identity-issuer.js';
export { IdentityError, IdentityUnavailableError } from './errors.js';
export {
  oidcIssuerSchema,
  type SpiffeTrustDomainConfig,
  spiffeTrustDomainSchema,
  trustConfigSchema,
} from './issuer-config.js';
export { issuerIdOfPrincipal } from './principal-issuer.js';
export { isValidTrustDomain, parseSpiffeId, type SpiffeId } from './spiffe-id.js';
export { acceptedTokenAges } from './trusted-issuers.js';
export {
  createIdentityVerifier,
  type IdentityVerifier,
  type IdentityVerifierOptions,
} from './verify-workload-token.js';
export type { AttributeValue, WorkloadIdentity } from './workload-identity.js';
