export { DEV_POLICIES } from './dev-policies.js';
export { createPolicyEngine, createStaticPolicyEngine, type PolicyEngine } from './policy-engine.js';
export { createPolicySet } from './policy-set.js';
export { policyPrincipal } from './principal.js';
export type {
  PolicyAction,
  PolicyContext,
  PolicyDecision,
  PolicyPrincipal,
  PolicyRequest,
  PrincipalAttributeValue,
} from './types.js';
