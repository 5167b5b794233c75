import { delegationDepth, issuerOfPrincipal, type WritClaims } from '@writ/claims';
import type {
  PolicyAction,
  PolicyPrincipal,
  PolicyRequest,
  PrincipalAttributeValue,
} from '../policy/index.js';
import { policyPrincipal } from '../policy/index.js';
import type { WritStore } from '../store/index.js';

export type ClientAttributes = Record<string, PrincipalAttributeValue>;

/**
 * The verified identity attributes of the writ's client (`client_id`), as its task record keeps
 * them since the task was started or delegated. `{}` when the store does not know the task or
 * names another client: such a writ is not live, which the liveness check then reports.
 */
export async function readClientAttributes(
  store: Pick<WritStore, 'getTask'>,
  claims: WritClaims,
): Promise<ClientAttributes> {
  const task = await store.getTask(claims.task.id);
  return task?.client_id === claims.client_id ? (task.client_attributes ?? {}) : {};
}

/** The workload presenting the writ (`client_id`), as issuance saw it (policyPrincipal). */
export function principalOfWrit(claims: WritClaims, attributes: ClientAttributes): PolicyPrincipal {
  return policyPrincipal({
    id: claims.client_id,
    issuer: issuerOfPrincipal(claims.client_id) ?? '',
    attributes,
  });
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
  attributes: ClientAttributes,
): PolicyRequest {
  const budgetTotal = claims.task.budget?.total;
  const actor = claims.act?.sub;
  return {
    action,
    principal: principalOfWrit(claims, attributes),
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
