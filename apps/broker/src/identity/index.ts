export {
  createDevIdentityIssuer,
  type DevIdentityIssuer,
  type DevIdentityIssuerOptions,
} from './dev-identity-issuer.js';
export { IdentityError, type IdentityErrorReason, IdentityUnavailableError } from './errors.js';
export {
  defaultAlgorithms,
  jwksSchema,
  type OidcIssuerConfig,
  type OidcIssuerInput,
  oidcIssuerSchema,
  type SpiffeTrustDomainConfig,
  type SpiffeTrustDomainInput,
  spiffeTrustDomainSchema,
  supportedAlgorithms,
  type TrustConfig,
  type TrustConfigInput,
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
