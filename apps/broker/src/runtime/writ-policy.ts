import { delegationDepth, issuerOfPrincipal, type WritClaims } from '@writ/claims';
import type { PolicyAction, PolicyPrincipal, PolicyRequest } from '../policy/index.js';

/**
 * The workload presenting the writ (`client_id`), known only by the ids a writ carries — the same
 * shape issuance builds from a task record (principalOfTask): a task's issuer is its client's.
 */
export function principalOfWrit(claims: WritClaims): PolicyPrincipal {
  const issuer = issuerOfPrincipal(claims.client_id) ?? '';
  const spiffe = issuer.startsWith('spiffe:');
  return {
    id: claims.client_id,
    kind: spiffe ? 'spiffe' : 'oidc',
    issuer,
    trustDomain: spiffe ? issuer.slice('spiffe:'.length) : '',
    attributes: {},
  };
}

/**
 * A Cedar request about the writ's task acting on `tool`. The context comes from the signed
 * claims only; `data_class` is the task's (the ceiling of every action it may take), so a
 * policy on data classes judges the task, not the caller's description of one call.
 */
export function writPolicyRequest(
  action: PolicyAction,
  claims: WritClaims,
  tool: string,
  nowSeconds: number,
): PolicyRequest {
  const budgetTotal = claims.task.budget?.total;
  const actor = claims.act?.sub;
  return {
    action,
    principal: principalOfWrit(claims),
    resource: { tool },
    context: {
      audience: claims.aud,
      intent: claims.task.intent,
      dataClass: claims.task.data_class,
      ttlSeconds: Math.max(0, claims.exp - nowSeconds),
      ...(budgetTotal !== undefined ? { budgetTotal } : {}),
      delegationDepth: delegationDepth(claims),
      ...(actor !== undefined ? { actor } : {}),
      taskId: claims.task.id,
      time: nowSeconds,
    },
  };
}
