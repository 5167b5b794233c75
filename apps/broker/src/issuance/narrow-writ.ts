import { writFacts } from '../audit/writ-facts.js';
import { invalidRequest, invalidScope, invalidTarget } from '../errors.js';
import { livenessInputOf } from '../runtime/liveness-input.js';
import {
  denyEvent,
  enforceRateLimit,
  type LiveWrit,
  principalOfTask,
  readRequestedPlan,
  resolveAudience,
  verifyLiveWrit,
} from './exchange-steps.js';
import type { IssuanceDeps } from './issuance-deps.js';
import { mintWrit, prefetchGeneration } from './mint-writ.js';
import { completePlan, enforceWithin, planOfTask, planOfWrit, sameBudget } from './plan-check.js';
import { evaluatePlanPolicy } from './policy-requests.js';
import type { TokenExchangeRequest, TokenExchangeResult } from './token-request.js';

/**
 * Flow 2: another writ of the same task, never wider than the writ presented. A writ is a bearer
 * token its audience also holds, so the writ alone only narrows: same audience, no later expiry.
 * A new audience needs the task's own client to prove itself (its workload identity as
 * actor_token: `clientProven`); even then the new writ ends no later than the one presented.
 */
export async function narrowWrit(
  deps: IssuanceDeps,
  req: TokenExchangeRequest,
  subjectToken: string,
): Promise<TokenExchangeResult> {
  return reissueWrit(deps, req, await verifyLiveWrit(deps, req, subjectToken), false);
}

export async function reissueWrit(
  deps: IssuanceDeps,
  req: TokenExchangeRequest,
  { claims, task }: LiveWrit,
  clientProven: boolean,
): Promise<TokenExchangeResult> {
  const facts = writFacts(claims);
  const requested = await readRequestedPlan(deps, req, facts);
  const audience = await resolveAudience(deps, req, claims.aud, facts);
  if (audience !== claims.aud && !clientProven) {
    await deps.audit.deny(denyEvent(deps, req, 'exchange.denied', ['audience_change_unproven'], facts));
    throw invalidTarget("a new audience needs the task client's own identity as actor_token");
  }
  // Read alongside the rate limit so both answers come back in one round trip.
  const generation = prefetchGeneration(deps);
  await enforceRateLimit(deps, req, task.client_id, facts);

  const now = deps.clock.nowSeconds();
  // Bounded by the writ presented, not only its task: whoever holds a narrow writ (a downstream
  // API it was sent to) must not turn it into a wider one for another audience, nor a longer one.
  const bound = planOfWrit(claims, planOfTask(task, now, claims.exp - now));
  const plan = completePlan(requested, bound);
  const extra = [
    ...(requested.intent !== undefined && requested.intent !== task.intent ? ['intent_changed'] : []),
    // Budgets are counted per task; a writ of the same task cannot carry a budget of its own.
    ...(requested.budget !== undefined && !sameBudget(requested.budget, task.budget)
      ? ['budget_is_per_task']
      : []),
  ];
  await enforceWithin(deps, req, { plan, bound, task, facts }, extra);
  if (plan.tools.length === 0) throw invalidScope('the plan names no tools');
  // Never born dead: a writ with no life left would still carry a fresh `exp` (as delegation).
  if (plan.ttl <= 0) {
    await deps.audit.deny(denyEvent(deps, req, 'exchange.denied', ['no_lifetime_left'], facts));
    throw invalidRequest('subject_token has no lifetime left');
  }

  const decision = evaluatePlanPolicy(deps, {
    action: 'start_task',
    principal: principalOfTask(task),
    tools: plan.tools,
    audience,
    intent: task.intent,
    dataClass: task.data_class,
    ttlSeconds: plan.ttl,
    ...(plan.budget?.total !== undefined ? { budgetTotal: plan.budget.total } : {}),
    depth: task.chain.length,
    taskId: task.id,
    ...(task.parent ? { parentPrincipal: task.principal } : {}),
  });
  if (!decision.allowed) {
    await deps.audit.deny(denyEvent(deps, req, 'exchange.denied', decision.reasons, { ...facts, audience }));
    throw invalidScope('policy does not allow this plan');
  }
  return mintWrit(deps, req, {
    generation,
    task,
    createTask: false,
    requireLive: [...task.chain, task.id],
    subject: livenessInputOf(claims),
    audience,
    tools: plan.tools,
    resources: plan.resources,
    data_classes: plan.data_classes,
    ...(claims.act ? { act: claims.act } : {}),
    // Belt and braces: the bound above already keeps it there.
    expiresAt: Math.min(now + plan.ttl, claims.exp),
  });
}
