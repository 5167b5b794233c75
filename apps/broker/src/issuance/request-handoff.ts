import {
  AUTHORIZATION_DETAILS_TYPE,
  formatScope,
  HANDOFF_MAX_LIFETIME_SECONDS,
  HANDOFF_TOKEN_TYPE,
  HANDOFF_TYP,
  type HandoffClaims,
  highestDataClass,
  parseHandoffClaims,
} from '@writ/claims';
import type { AuditEvent } from '../audit/audit-event.js';
import { writFacts } from '../audit/writ-facts.js';
import { invalidRequest, invalidScope, invalidTarget, OAuthError } from '../errors.js';
import {
  type DenyFacts,
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
import { completePlan, enforceWithin, planOfTask, planOfWrit } from './plan-check.js';
import { evaluatePlanPolicy } from './policy-requests.js';
import type { TokenExchangeRequest, TokenExchangeResult } from './token-request.js';

const MAX_PRINCIPAL_LENGTH = 1024;
// A principal is one printable token: no whitespace, control or format characters.
const NOT_A_PRINCIPAL = /[\s\p{Cc}\p{Cf}]/u;

/**
 * Flow 3, first half (docs/handoff.md): the orchestrator, with its live writ, asks for a handoff
 * to one worker principal (RFC 8693 §4.4 `may_act`). The child's plan is checked within the
 * writ's (scope lock), Cedar `delegate` is asked, and plan, audience, task id and end are fixed
 * in a broker-audience, `writ-handoff+jwt` token that lives at most 60 s, never past the writ.
 * Nothing that can act as the worker is ever in the orchestrator's hands, nor the other way round.
 */
export async function requestHandoff(
  deps: IssuanceDeps,
  req: TokenExchangeRequest,
  subjectToken: string,
): Promise<TokenExchangeResult> {
  const { claims: parent, task: parentTask } = await verifyLiveWrit(deps, req, subjectToken);
  const facts = writFacts(parent);
  const worker = await readMayAct(deps, req, facts, parentTask.client_id);
  const workerFacts = { ...facts, actor_chain: [worker] };
  const clientProven = await proveTaskClient(deps, req, parentTask.client_id, facts);
  const chain = [...parent.task.chain, parentTask.id];
  if (chain.length > deps.settings.maxDelegationDepth) {
    await deps.audit.deny(denyEvent(deps, req, 'delegation.denied', ['depth_cap'], workerFacts));
    throw invalidRequest(`delegation depth is capped at ${deps.settings.maxDelegationDepth}`);
  }
  const requested = await readRequestedPlan(deps, req, facts);
  const audience = await resolveAudience(deps, req, parent.aud, facts);
  // Audience is part of "only ever narrower": only the task client itself may choose another.
  if (audience !== parent.aud && !clientProven) {
    await deps.audit.deny(
      denyEvent(deps, req, 'delegation.denied', ['audience_change_unproven'], workerFacts),
    );
    throw invalidTarget("a delegated writ keeps its parent's audience unless the task client proves itself");
  }
  await enforceRateLimit(deps, req, parentTask.client_id, facts);

  const now = deps.clock.nowSeconds();
  // The child never outlives the writ that delegated it, nor the parent task.
  const bound = planOfWrit(parent, planOfTask(parentTask, now, parent.exp - now));
  const plan = completePlan(requested, bound);
  await enforceWithin(deps, req, { plan, bound, task: parentTask, facts });
  if (plan.tools.length === 0 || plan.ttl <= 0) throw invalidScope('the delegated plan is empty');

  const childTaskId = newRandomId();
  const intent = requested.intent ?? parentTask.intent;
  const decision = evaluatePlanPolicy(deps, {
    action: 'delegate',
    principal: principalOfTask(parentTask),
    tools: plan.tools,
    audience,
    intent,
    dataClass: highestDataClass(plan.data_classes) ?? 'public',
    ttlSeconds: plan.ttl,
    ...(plan.budget?.total !== undefined ? { budgetTotal: plan.budget.total } : {}),
    depth: chain.length,
    actor: worker,
    taskId: childTaskId,
    parentPrincipal: parentTask.client_id,
  });
  if (!decision.allowed) {
    await deps.audit.deny(
      denyEvent(deps, req, 'delegation.denied', decision.reasons, { ...workerFacts, audience }),
    );
    throw invalidScope('policy does not allow this delegation');
  }

  const exp = Math.min(now + HANDOFF_MAX_LIFETIME_SECONDS, parent.exp);
  const details = {
    type: AUTHORIZATION_DETAILS_TYPE as typeof AUTHORIZATION_DETAILS_TYPE,
    tools: plan.tools,
    resources: plan.resources,
    data_classes: plan.data_classes,
  };
  const claims: HandoffClaims = {
    iss: deps.settings.issuer,
    aud: deps.settings.issuer,
    iat: now,
    nbf: now,
    exp,
    jti: newRandomId(),
    sub: parent.sub,
    client_id: parent.client_id,
    may_act: { sub: worker },
    ...(parent.act ? { act: parent.act } : {}),
    parent: {
      jti: parent.jti,
      task_id: parentTask.id,
      chain: parent.task.chain,
      gen: parent.gen,
      exp: parent.exp,
    },
    child: {
      task_id: childTaskId,
      aud: audience,
      expires_at: now + plan.ttl,
      intent,
      ...(plan.budget ? { budget: plan.budget } : {}),
    },
    authorization_details: [details],
  };
  // Never sign what our own schema would refuse to read back.
  const checked = parseHandoffClaims(claims);
  if (!checked.ok) {
    deps.logger.error({ issues: checked.issues, task_id: parentTask.id }, 'refusing to sign invalid handoff');
    throw new OAuthError(500, 'server_error', 'internal error');
  }
  const token = await deps.keyRing.sign(checked.claims, HANDOFF_TYP);
  const event: AuditEvent = {
    type: 'handoff.issued',
    time: deps.clock.nowMs(),
    request_id: req.requestId,
    decision: 'allow',
    reasons: [],
    ...workerFacts,
    jti: claims.jti,
    audience,
    detail: { tools: plan.tools.length, expires_in: exp - now, parent_jti: parent.jti },
  };
  // Stored before the answer: a handoff nobody can find in the trail must not exist.
  await deps.store.appendAudit(event);
  deps.audit.log(event);
  return {
    access_token: token,
    issued_token_type: HANDOFF_TOKEN_TYPE,
    token_type: 'N_A',
    expires_in: exp - now,
    scope: formatScope(plan.tools),
    authorization_details: [details],
  };
}

/** The worker principal the handoff names; malformed, missing or the task's own client → 400. */
async function readMayAct(
  deps: IssuanceDeps,
  req: TokenExchangeRequest,
  facts: DenyFacts,
  taskClient: string,
): Promise<string> {
  const worker = req.may_act;
  const problem =
    worker === undefined
      ? 'may_act_missing'
      : worker.length > MAX_PRINCIPAL_LENGTH || NOT_A_PRINCIPAL.test(worker)
        ? 'may_act_malformed'
        : worker === taskClient
          ? 'may_act_is_task_client'
          : null;
  if (worker !== undefined && problem === null) return worker;
  await deps.audit.deny(denyEvent(deps, req, 'delegation.denied', [problem ?? 'may_act_missing'], facts));
  throw invalidRequest(
    problem === 'may_act_is_task_client'
      ? "may_act names the task's own client: exchange the writ itself instead"
      : 'a handoff needs may_act: the worker principal, one printable token of at most 1024 characters',
  );
}

/**
 * True when the request carries the task client's own identity as actor_token (as for a
 * re-target, flow 2); any other actor_token is refused: the orchestrator never holds a worker's.
 */
async function proveTaskClient(
  deps: IssuanceDeps,
  req: TokenExchangeRequest,
  taskClient: string,
  facts: DenyFacts,
): Promise<boolean> {
  if (!req.actor_token) return false;
  const identity = await verifyWorkload(deps, req, req.actor_token, 'actor_token', facts);
  if (identity.principal === taskClient) return true;
  await deps.audit.deny(denyEvent(deps, req, 'delegation.denied', ['actor_not_task_client'], facts));
  throw invalidRequest("actor_token must be the task client's own identity");
}
