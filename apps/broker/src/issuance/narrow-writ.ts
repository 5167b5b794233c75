import { writFacts } from '../audit/writ-facts.js';
import { invalidScope } from '../errors.js';
import { livenessInputOf } from '../runtime/check-writ.js';
import {
  denyEvent,
  enforceRateLimit,
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

/** Flow 2: another writ of the same task, for a new audience or a narrower plan (never wider). */
export async function narrowWrit(
  deps: IssuanceDeps,
  req: TokenExchangeRequest,
  subjectToken: string,
): Promise<TokenExchangeResult> {
  const { claims, task } = await verifyLiveWrit(deps, req, subjectToken);
  const facts = writFacts(claims);
  const requested = await readRequestedPlan(deps, req, facts);
  const audience = await resolveAudience(deps, req, claims.aud, facts);
  // Read alongside the rate limit so both answers come back in one round trip.
  const generation = prefetchGeneration(deps);
  await enforceRateLimit(deps, req, task.client_id, facts);

  const now = deps.clock.nowSeconds();
  // Bounded by the writ presented, not only its task: whoever holds a narrow writ (a downstream
  // API it was sent to) must not turn it into a wider one for another audience.
  const bound = planOfWrit(claims, planOfTask(task, now));
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
    expiresAt: now + plan.ttl,
  });
}
