import type { DataClass } from '@writ/claims';
import type { PolicyAction, PolicyContext, PolicyDecision, PolicyRequest } from '../policy/index.js';
import type { IssuanceDeps } from './issuance-deps.js';

export interface PolicyFacts {
  action: PolicyAction;
  principal: PolicyRequest['principal'];
  tools: string[];
  audience: string;
  intent: string;
  dataClass: DataClass;
  ttlSeconds: number;
  budgetTotal?: number;
  depth: number;
  actor?: string;
  taskId: string;
  parentPrincipal?: string;
}

/** One Cedar request per tool: every tool of a plan must be allowed (default deny). */
export function evaluatePlanPolicy(deps: IssuanceDeps, facts: PolicyFacts): PolicyDecision {
  const context: PolicyContext = {
    audience: facts.audience,
    intent: facts.intent,
    dataClass: facts.dataClass,
    ttlSeconds: facts.ttlSeconds,
    ...(facts.budgetTotal !== undefined ? { budgetTotal: facts.budgetTotal } : {}),
    delegationDepth: facts.depth,
    ...(facts.actor ? { actor: facts.actor } : {}),
    taskId: facts.taskId,
    ...(facts.parentPrincipal ? { parentPrincipal: facts.parentPrincipal } : {}),
    time: deps.clock.nowSeconds(),
  };
  return deps.policy.evaluateAll(
    facts.tools.map((tool) => ({
      action: facts.action,
      principal: facts.principal,
      resource: { tool },
      context,
    })),
  );
}
