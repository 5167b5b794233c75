import { highestDataClass } from '@writ/claims';
import { invalidScope } from '../errors.js';
import type { WorkloadIdentity } from '../identity/index.js';
import type { TaskRecord } from '../store/index.js';
import {
  denyEvent,
  enforceRateLimit,
  principalOf,
  readRequestedPlan,
  resolveAudience,
  verifyWorkload,
} from './exchange-steps.js';
import { checkIdentityNotBanned, readIdentityBan } from './identity-ban.js';
import { newRandomId } from './ids.js';
import type { IssuanceDeps } from './issuance-deps.js';
import { mintWrit } from './mint-writ.js';
import { evaluatePlanPolicy } from './policy-requests.js';
import type { TokenExchangeRequest, TokenExchangeResult } from './token-request.js';

const DEFAULT_INTENT = 'unspecified';

/** Flow 1 (docs/architecture.md §5): a verified workload identity starts a new root task. */
export async function startTask(
  deps: IssuanceDeps,
  req: TokenExchangeRequest,
  subjectToken: string,
): Promise<TokenExchangeResult> {
  const identity = await verifyWorkload(deps, req, subjectToken, 'subject_token', {}, 'by-caller');
  return startTaskFor(deps, req, identity, 'subject_token');
}

/**
 * Starts a root task for a verified identity whose ban check was left to it: the requested plan,
 * the audience, the ban and the rate limit (one round trip), Cedar `start_task`, then the task and
 * its first writ in one store step. Shared by token exchange (the identity is the subject_token)
 * and client credentials (the client_assertion), so both grants give the same task for the same
 * identity and plan.
 */
export async function startTaskFor(
  deps: IssuanceDeps,
  req: TokenExchangeRequest,
  identity: WorkloadIdentity,
  role: 'subject_token' | 'client_assertion',
): Promise<TokenExchangeResult> {
  const facts = { principal: identity.principal };
  const plan = await readRequestedPlan(deps, req, facts);
  const audience = await resolveAudience(deps, req, undefined, facts);
  // The ban and the generation, read alongside the rate limit: one round trip for all three.
  const ban = readIdentityBan(deps, identity);
  await enforceRateLimit(deps, req, identity.principal, facts);
  const generation = Promise.resolve(await checkIdentityNotBanned(deps, req, identity, role, facts, ban));

  const tools = plan.tools ?? [];
  if (tools.length === 0) {
    await deps.audit.deny(denyEvent(deps, req, 'exchange.denied', ['empty_plan'], facts));
    throw invalidScope('the plan names no tools (scope "tool:<name>" or authorization_details)');
  }
  const ttl = plan.ttl ?? deps.settings.defaultTtlSeconds;
  if (ttl > deps.settings.maxTtlSeconds) {
    await deps.audit.deny(denyEvent(deps, req, 'exchange.denied', ['ttl_over_max'], facts));
    throw invalidScope(`ttl may be at most ${deps.settings.maxTtlSeconds} seconds`);
  }
  const dataClasses = plan.data_classes ?? ['public'];
  const dataClass = highestDataClass(dataClasses) ?? 'public';
  const intent = plan.intent ?? DEFAULT_INTENT;
  const taskId = newRandomId();

  const decision = evaluatePlanPolicy(deps, {
    action: 'start_task',
    principal: principalOf(identity),
    tools,
    audience,
    intent,
    dataClass,
    ttlSeconds: ttl,
    ...(plan.budget?.total !== undefined ? { budgetTotal: plan.budget.total } : {}),
    depth: 0,
    taskId,
  });
  if (!decision.allowed) {
    await deps.audit.deny(denyEvent(deps, req, 'exchange.denied', decision.reasons, { ...facts, audience }));
    throw invalidScope('policy does not allow this plan');
  }

  const now = deps.clock.nowSeconds();
  const task: TaskRecord = {
    id: taskId,
    chain: [],
    principal: identity.principal,
    issuer: identity.issuerId,
    client_id: identity.principal,
    client_attributes: identity.attributes,
    intent,
    data_class: dataClass,
    tools,
    resources: plan.resources ?? [],
    data_classes: dataClasses,
    ...(plan.budget ? { budget: plan.budget } : {}),
    created_at: now,
    expires_at: now + ttl,
    status: 'live',
  };
  return mintWrit(deps, req, {
    generation,
    task,
    createTask: true,
    requireLive: [],
    audience,
    tools: task.tools,
    resources: task.resources,
    data_classes: task.data_classes,
    expiresAt: task.expires_at,
  });
}
