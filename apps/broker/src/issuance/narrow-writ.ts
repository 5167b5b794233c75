import { writFacts } from '../audit/writ-facts.js';
import { invalidScope } from '../errors.js';
import {
  denyEvent,
  enforceRateLimit,
  principalOfTask,
  resolveAudience,
  verifyLiveWrit,
} from './exchange-steps.js';
import type { IssuanceDeps } from './issuance-deps.js';
import { mintWrit, prefetchGeneration } from './mint-writ.js';
import { completePlan, enforceWithin, planOfTask, planOfWrit } from './plan-check.js';
import { evaluatePlanPolicy } from './policy-requests.js';
import { parseRequestedPlan } from './requested-plan.js';
import type { TokenExchangeRequest, TokenExchangeResult } from './token-request.js';

/** Flow 2: another writ of the same task, for a new audience or a narrower plan (never wider). */
export async function narrowWrit(
  deps: IssuanceDeps,
  req: TokenExchangeRequest,
  subjectToken: string,
): Promise<TokenExchangeResult> {
  const { claims, task } = await verifyLiveWrit(deps, req, subjectToken);
  const facts = writFacts(claims);
  const requested = parseRequestedPlan(req.scope, req.authorization_details);
  const audience = await resolveAudience(deps, req, claims.aud, facts);
  // Read alongside the rate limit so both answers come back in one round trip.
  const generation = prefetchGeneration(deps);
  await enforceRateLimit(deps, req, task.client_id, facts);

  const now = deps.clock.nowSeconds();
  const bound = planOfTask(task, now);
  const plan = completePlan(requested, planOfWrit(claims, bound));
  const intentChanged = requested.intent !== undefined && requested.intent !== task.intent;
  await enforceWithin(deps, req, { plan, bound, task, facts }, intentChanged ? ['intent_changed'] : []);
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
    audience,
    tools: plan.tools,
    resources: plan.resources,
    data_classes: plan.data_classes,
    ...(claims.act ? { act: claims.act } : {}),
    expiresAt: now + plan.ttl,
  });
}
