export { DEV_POLICIES } from './dev-policies.js';
export { isPolicyFileName, loadPolicyDir } from './load-policy-dir.js';
export {
  createPolicyEngine,
  createStaticPolicyEngine,
  type PolicyEngine,
  type PolicyEngineOptions,
  type PolicyReloadResult,
} from './policy-engine.js';
export { formatPolicyProblem, PolicyLoadError } from './policy-load-error.js';
export { combineDecisions, createPolicySet } from './policy-set.js';
export { policyPrincipal } from './principal.js';
export { WRIT_SCHEMA } from './schema.js';
export {
  DATA_CLASS_LEVELS,
  type DataClass,
  POLICY_ACTIONS,
  type PolicyAction,
  type PolicyContext,
  type PolicyDecision,
  type PolicyPrincipal,
  type PolicyProblem,
  type PolicyRequest,
  type PolicySet,
  type PolicySource,
  type PrincipalAttributeValue,
} from './types.js';
