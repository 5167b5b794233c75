import { highestDataClass, nestAct } from '@writ/claims';
import { writFacts } from '../audit/writ-facts.js';
import { invalidRequest, invalidScope, invalidTarget } from '../errors.js';
import { livenessInputOf } from '../runtime/liveness-input.js';
import type { TaskRecord } from '../store/index.js';
import {
  denyEvent,
  enforceRateLimit,
  principalOfTask,
  readRequestedPlan,
  resolveAudience,
  verifyLiveWrit,
  verifyWorkload,
} from './exchange-steps.js';
import { newRandomId } from './ids.js';
import type { IssuanceDeps } from './issuance-deps.js';
import { mintWrit, prefetchGeneration } from './mint-writ.js';
import { reissueWrit } from './narrow-writ.js';
import { completePlan, enforceWithin, planOfTask, planOfWrit } from './plan-check.js';
import { evaluatePlanPolicy } from './policy-requests.js';
import type { TokenExchangeRequest, TokenExchangeResult } from './token-request.js';

/**
 * Flow 3: the orchestrator's writ (subject_token) hands a child task to a worker (actor_token).
 * The child's plan is within the parent's, it ends no later than the parent writ, its depth is
 * capped, Cedar's `delegate` must allow it, and it carries the RFC 8693 §4.1 `act` chain.
 */
export async function delegateTask(
  deps: IssuanceDeps,
  req: TokenExchangeRequest,
  subjectToken: string,
  actorToken: string,
): Promise<TokenExchangeResult> {
  const { claims: parent, task: parentTask } = await verifyLiveWrit(deps, req, subjectToken);
  const facts = writFacts(parent);
  const worker = await verifyWorkload(deps, req, actorToken, 'actor_token', facts);
  // The task's own client proving itself is no handoff: it may re-target its writ (flow 2).
  if (worker.principal === parentTask.client_id) {
    return reissueWrit(deps, req, { claims: parent, task: parentTask }, true);
  }
  const chain = [...parent.task.chain, parentTask.id];
  if (chain.length > deps.settings.maxDelegationDepth) {
    await deps.audit.deny(denyEvent(deps, req, 'delegation.denied', ['depth_cap'], facts));
    throw invalidRequest(`delegation depth is capped at ${deps.settings.maxDelegationDepth}`);
  }
  const requested = await readRequestedPlan(deps, req, facts);
  const audience = await resolveAudience(deps, req, parent.aud, facts);
  // Audience is part of "only ever narrower": the worker's writ keeps its parent's audience.
  if (audience !== parent.aud) {
    await deps.audit.deny(
      denyEvent(deps, req, 'delegation.denied', ['audience_change_unproven'], {
        ...facts,
        actor_chain: [worker.principal],
      }),
    );
    throw invalidTarget("a delegated writ keeps its parent's audience");
  }
  // Read alongside the rate limit so both answers come back in one round trip.
  const generation = prefetchGeneration(deps);
  await enforceRateLimit(deps, req, parentTask.client_id, facts);
  const now = deps.clock.nowSeconds();
  // The child never outlives the writ that delegated it, nor the parent task.
  const bound = planOfWrit(parent, planOfTask(parentTask, now, parent.exp - now));
  const plan = completePlan(requested, bound);
  await enforceWithin(deps, req, { plan, bound, task: parentTask, facts });
  if (plan.tools.length === 0 || plan.ttl <= 0) throw invalidScope('the delegated plan is empty');

  const taskId = newRandomId();
  const dataClass = highestDataClass(plan.data_classes) ?? 'public';
  const intent = requested.intent ?? parentTask.intent;
  const decision = evaluatePlanPolicy(deps, {
    action: 'delegate',
    principal: principalOfTask(parentTask),
    tools: plan.tools,
    audience,
    intent,
    dataClass,
    ttlSeconds: plan.ttl,
    ...(plan.budget?.total !== undefined ? { budgetTotal: plan.budget.total } : {}),
    depth: chain.length,
    actor: worker.principal,
    taskId,
    parentPrincipal: parentTask.client_id,
  });
  if (!decision.allowed) {
    const event = denyEvent(deps, req, 'delegation.denied', decision.reasons, {
      ...facts,
      audience,
      actor_chain: [worker.principal],
    });
    await deps.audit.deny(event);
    throw invalidScope('policy does not allow this delegation');
  }

  const task: TaskRecord = {
    id: taskId,
    parent: parentTask.id,
    chain,
    principal: parentTask.principal,
    issuer: worker.issuerId,
    client_id: worker.principal,
    client_attributes: worker.attributes,
    intent,
    data_class: dataClass,
    tools: plan.tools,
    resources: plan.resources,
    data_classes: plan.data_classes,
    ...(plan.budget ? { budget: plan.budget } : {}),
    created_at: now,
    expires_at: now + plan.ttl,
    status: 'live',
  };
  return mintWrit(deps, req, {
    generation,
    task,
    createTask: true,
    requireLive: chain,
    subject: livenessInputOf(parent),
    audience,
    tools: task.tools,
    resources: task.resources,
    data_classes: task.data_classes,
    act: nestAct({ sub: worker.principal }, parent.act),
    expiresAt: task.expires_at,
  });
}
