export { createDevIdentityIssuer, type DevIdentityIssuer } from './dev-identity-issuer.js';
export { IdentityError, IdentityUnavailableError } from './errors.js';
export {
  oidcIssuerSchema,
  type SpiffeTrustDomainConfig,
  spiffeTrustDomainSchema,
  trustConfigSchema,
} from './issuer-config.js';
export { issuerIdOfPrincipal } from './principal-issuer.js';
export { acceptedTokenAges } from './trusted-issuers.js';
export { createIdentityVerifier, type IdentityVerifier } from './verify-workload-token.js';
export type { WorkloadIdentity } from './workload-identity.js';
