import {
  actorChain,
  checkWithin,
  type HandoffClaims,
  highestDataClass,
  issuerOfPrincipal,
  nestAct,
} from '@writ/claims';
import { endedStatusOf } from '../audit/task-status.js';
import { invalidRequest, invalidScope } from '../errors.js';
import { WritVerificationError } from '../signing/index.js';
import type { TaskRecord, WritLivenessInput } from '../store/index.js';
import {
  type DenyFacts,
  denyEvent,
  enforceRateLimit,
  principalOfTask,
  verifyWorkload,
} from './exchange-steps.js';
import type { IssuanceDeps } from './issuance-deps.js';
import { mintWrit, prefetchGeneration } from './mint-writ.js';
import { planOfTask } from './plan-check.js';
import { evaluatePlanPolicy } from './policy-requests.js';
import type { TokenExchangeRequest, TokenExchangeResult } from './token-request.js';

/** How long a consumed handoff's mark outlives its `exp` (it no longer verifies by then). */
const CONSUMED_MARK_MARGIN_SECONDS = 60;

/**
 * Flow 3, second half (docs/handoff.md): the worker exchanges the handoff (subject_token) and its
 * own workload identity (actor_token) for its writ. The handoff must be ours, unexpired and name
 * this worker (`may_act`); the parent writ and task must still be live; the depth cap and Cedar
 * `delegate` (context.actor = the worker) are checked again; the child task is created, with
 * `act` and the task chain, in the same store commit that consumes the handoff: single use.
 */
export async function acceptHandoff(
  deps: IssuanceDeps,
  req: TokenExchangeRequest,
  handoffToken: string,
  actorToken: string,
): Promise<TokenExchangeResult> {
  const handoff = await verifyHandoff(deps, req, handoffToken);
  const facts: DenyFacts = {
    principal: handoff.sub,
    task_id: handoff.parent.task_id,
    jti: handoff.jti,
    audience: handoff.child.aud,
  };
  // The plan and audience were fixed when the handoff was made; the worker cannot change them.
  if (req.scope || req.authorization_details || req.targets.length > 0 || req.may_act) {
    await deps.audit.deny(denyEvent(deps, req, 'delegation.denied', ['handoff_plan_fixed'], facts));
    throw invalidRequest(
      'a handoff fixes the plan and audience: send no scope, authorization_details or audience',
    );
  }
  const worker = await verifyWorkload(deps, req, actorToken, 'actor_token', facts);
  const workerFacts = { ...facts, actor_chain: [worker.principal, ...actorChain(handoff.act)] };
  if (worker.principal !== handoff.may_act.sub) {
    await deps.audit.deny(denyEvent(deps, req, 'delegation.denied', ['handoff_not_for_actor'], workerFacts));
    throw invalidRequest('the handoff names another worker', 'handoff_not_for_actor');
  }
  const parentTask = await liveParentTask(deps, req, handoff, workerFacts);
  const chain = [...handoff.parent.chain, parentTask.id];
  if (chain.length > deps.settings.maxDelegationDepth) {
    await deps.audit.deny(denyEvent(deps, req, 'delegation.denied', ['depth_cap'], workerFacts));
    throw invalidRequest(`delegation depth is capped at ${deps.settings.maxDelegationDepth}`);
  }
  const generation = prefetchGeneration(deps);
  await enforceRateLimit(deps, req, worker.principal, workerFacts);

  const now = deps.clock.nowSeconds();
  const [detail] = handoff.authorization_details;
  const expiresAt = Math.min(handoff.child.expires_at, handoff.parent.exp, parentTask.expires_at);
  const plan = {
    tools: detail.tools,
    resources: detail.resources,
    data_classes: detail.data_classes,
    ...(handoff.child.budget ? { budget: handoff.child.budget } : {}),
    ttl: expiresAt - now,
  };
  // The handoff was checked within the parent writ when made; the task's plan never changes, so
  // this only catches a broker bug — never a reason to quarantine anyone.
  if (!checkWithin(plan, planOfTask(parentTask, now)).ok || plan.ttl <= 0) {
    await deps.audit.deny(denyEvent(deps, req, 'delegation.denied', ['handoff_plan_dead'], workerFacts));
    throw invalidScope('the handed-off plan has no lifetime left or no longer fits its parent task');
  }
  const dataClass = highestDataClass(plan.data_classes) ?? 'public';
  const decision = evaluatePlanPolicy(deps, {
    action: 'delegate',
    principal: principalOfTask(parentTask),
    tools: plan.tools,
    audience: handoff.child.aud,
    intent: handoff.child.intent,
    dataClass,
    ttlSeconds: plan.ttl,
    ...(plan.budget?.total !== undefined ? { budgetTotal: plan.budget.total } : {}),
    depth: chain.length,
    actor: worker.principal,
    taskId: handoff.child.task_id,
    parentPrincipal: parentTask.client_id,
  });
  if (!decision.allowed) {
    await deps.audit.deny(denyEvent(deps, req, 'delegation.denied', decision.reasons, workerFacts));
    throw invalidScope('policy does not allow this delegation');
  }

  const task: TaskRecord = {
    id: handoff.child.task_id,
    parent: parentTask.id,
    chain,
    principal: parentTask.principal,
    issuer: worker.issuerId,
    client_id: worker.principal,
    client_attributes: worker.attributes,
    intent: handoff.child.intent,
    data_class: dataClass,
    tools: plan.tools,
    resources: plan.resources,
    data_classes: plan.data_classes,
    ...(plan.budget ? { budget: plan.budget } : {}),
    created_at: now,
    expires_at: expiresAt,
    status: 'live',
  };
  return mintWrit(deps, req, {
    generation,
    task,
    createTask: true,
    requireLive: chain,
    subject: parentLivenessInput(handoff),
    consumeHandoff: { jti: handoff.jti, until: handoff.exp + CONSUMED_MARK_MARGIN_SECONDS },
    audience: handoff.child.aud,
    tools: task.tools,
    resources: task.resources,
    data_classes: task.data_classes,
    act: nestAct({ sub: worker.principal }, handoff.act),
    expiresAt,
  });
}

/** Our own handoff, or a deny audit event and invalid_request (RFC 8693 §2.2.2). */
async function verifyHandoff(
  deps: IssuanceDeps,
  req: TokenExchangeRequest,
  token: string,
): Promise<HandoffClaims> {
  try {
    return await deps.handoffs.verify(token);
  } catch (err) {
    if (!(err instanceof WritVerificationError)) throw err;
    // Nothing is authenticated yet: budgeted per peer, like any unverified token.
    await deps.audit.deny(denyEvent(deps, req, 'exchange.denied', [`handoff:${err.reason}`]), {
      source: req.peer ?? 'unknown',
    });
    throw invalidRequest(
      `subject_token is not a valid handoff (${err.reason})`,
      err.reason === 'expired' ? 'handoff_expired' : 'handoff_invalid',
    );
  }
}

/** The parent writ's liveness facts, as the handoff carries them (signed by us). */
function parentLivenessInput(handoff: HandoffClaims): WritLivenessInput {
  const principals = [...new Set([handoff.sub, handoff.client_id, ...actorChain(handoff.act)])];
  const issuers = principals.map(issuerOfPrincipal).filter((i): i is string => i !== undefined);
  return {
    jti: handoff.parent.jti,
    task_id: handoff.parent.task_id,
    chain: [...handoff.parent.chain],
    gen: handoff.parent.gen,
    principals,
    issuers: [...new Set(issuers)],
  };
}

/** The parent task, when the parent writ, its task and every ancestor are still live. */
async function liveParentTask(
  deps: IssuanceDeps,
  req: TokenExchangeRequest,
  handoff: HandoffClaims,
  facts: DenyFacts,
): Promise<TaskRecord> {
  const liveness = await deps.store.checkWritLive(parentLivenessInput(handoff));
  const task = liveness.live ? await deps.store.getTask(handoff.parent.task_id) : null;
  if (task) return task;
  const reason = liveness.live ? 'task_not_live' : liveness.reason;
  await deps.audit.deny(denyEvent(deps, req, 'delegation.denied', [`parent:${reason}`], facts));
  const ended = liveness.live ? null : await endedStatusOf(deps, handoff.parent.task_id, liveness.reason);
  throw ended
    ? invalidRequest(`the handoff's parent writ is no longer live: its task was ${ended}`, `task_${ended}`)
    : invalidRequest("the handoff's parent writ is no longer live");
}
