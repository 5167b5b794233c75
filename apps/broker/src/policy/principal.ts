import type { PolicyPrincipal, PrincipalAttributeValue } from './types.js';

const SPIFFE_ISSUER_PREFIX = 'spiffe:';

/**
 * The one Cedar principal builder: at issuance (from the verified identity or the task record)
 * and at run time (from a writ) the same workload must look the same to a policy. Kind and trust
 * domain follow from the issuer id (`spiffe:<trust domain>` or `oidc:<name>`), never from an
 * attribute an identity token could carry.
 */
export function policyPrincipal(input: {
  id: string;
  issuer: string;
  attributes: Record<string, PrincipalAttributeValue>;
}): PolicyPrincipal {
  const spiffe = input.issuer.startsWith(SPIFFE_ISSUER_PREFIX);
  return {
    id: input.id,
    kind: spiffe ? 'spiffe' : 'oidc',
    issuer: input.issuer,
    trustDomain: spiffe ? input.issuer.slice(SPIFFE_ISSUER_PREFIX.length) : '',
    attributes: input.attributes,
  };
}
