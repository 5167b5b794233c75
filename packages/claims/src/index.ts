export { actorChain, currentActor, delegationDepth, nestAct } from './act.js';
export { type ActClaim, actClaimSchema } from './act-claim.js';
export {
  type AgentTaskDetail,
  type AgentTaskRequestDetail,
  agentTaskDetailSchema,
  agentTaskRequestDetailSchema,
  intentSchema,
} from './authorization-details.js';
export { type Budget, budgetSchema, findForeignBudgetTools } from './budget.js';
export {
  AUTHORIZATION_DETAILS_TYPE,
  DATA_CLASSES,
  type DataClass,
  dataClassAtMost,
  dataClassRank,
  GRANT_TYPE_TOKEN_EXCHANGE,
  highestDataClass,
  isOAuthErrorCode,
  LIMITS,
  OAUTH_ERROR,
  type OAuthErrorCode,
  TOKEN_TYPE,
  TOOL_SCOPE_PREFIX,
  type TokenType,
  WRIT_TYP,
} from './constants.js';
export {
  HANDOFF_MAX_LIFETIME_SECONDS,
  HANDOFF_TOKEN_TYPE,
  HANDOFF_TYP,
  type HandoffClaims,
  handoffClaimsSchema,
  type ParseHandoffClaimsResult,
  parseHandoffClaims,
} from './handoff-claims.js';
export { formatIssues } from './issues.js';
export {
  dataClassSchema,
  formatScope,
  type ParseScopeResult,
  parseScope,
  resourceIdSchema,
  taskIdSchema,
  toolNameSchema,
} from './names.js';
export { type Action, type PermitsResult, permits, permitsPlan } from './permits.js';
export { type Plan, planFromClaims } from './plan.js';
export { issuerOfPrincipal, issuersOf, principalsOf } from './principals.js';
export {
  coveredByGeneration,
  decideLiveness,
  decideLivenessFromList,
  isTaskLive,
  isWritItselfLive,
  type LivenessFacts,
  type LivenessReason,
  type LivenessResult,
  type RevocationList,
  type TaskState,
} from './revocation-rules.js';
export { type TaskClaim, taskClaimSchema } from './task-claim.js';
export { type CheckWithinResult, checkWithin, isWithin } from './within.js';
export {
  type CnfClaim,
  cnfClaimSchema,
  type ParseWritClaimsResult,
  parseWritClaims,
  type WritClaims,
  writClaimsSchema,
} from './writ-claims.js';
