import type { WritClaims } from '@writ/claims';
import type { AuditEvent, AuditEventType } from '../audit/audit-event.js';
import { endedStatusOf } from '../audit/task-status.js';
import { writFacts } from '../audit/writ-facts.js';
import { invalidClient, invalidRequest, invalidTarget, OAuthError, slowDown } from '../errors.js';
import { IdentityError, type WorkloadIdentity } from '../identity/index.js';
import { type PolicyPrincipal, policyPrincipal } from '../policy/index.js';
import { livenessInputOf } from '../runtime/liveness-input.js';
import { WritVerificationError } from '../signing/index.js';
import type { TaskRecord } from '../store/index.js';
import { askedDetail } from './asked-facts.js';
import { clientAttributesProblem } from './client-attributes.js';
import { checkIdentityNotBanned } from './identity-ban.js';
import type { IssuanceDeps } from './issuance-deps.js';
import { parseRequestedPlan, type RequestedPlan } from './requested-plan.js';
import type { TokenExchangeRequest } from './token-request.js';

export type DenyFacts = Partial<Omit<AuditEvent, 'type' | 'time' | 'request_id' | 'decision' | 'reasons'>>;

/** A deny audit event of a token request, with what the request asked for in `detail`. */
export function denyEvent(
  deps: IssuanceDeps,
  req: TokenExchangeRequest,
  type: AuditEventType,
  reasons: string[],
  facts: DenyFacts = {},
): AuditEvent {
  // What was asked, so a denial is evidence of the attempt and not `detail: null`.
  const detail = { ...askedDetail(req), ...facts.detail };
  return {
    type,
    time: deps.clock.nowMs(),
    request_id: req.requestId,
    decision: 'deny',
    reasons,
    ...facts,
    detail,
  };
}

/**
 * Verifies a workload JWT, then that no principal / issuer / `all` revocation bans it
 * (checkIdentityNotBanned); any failure is one deny audit event and invalid_request, or
 * invalid_client when the JWT is a client_credentials grant's client_assertion (RFC 6749 §5.2).
 * `banCheck: 'by-caller'` only for a caller that runs checkIdentityNotBanned itself, to share the
 * read with another (startTaskFor reads it alongside the rate limit).
 */
export async function verifyWorkload(
  deps: IssuanceDeps,
  req: TokenExchangeRequest,
  token: string,
  role: 'subject_token' | 'actor_token' | 'client_assertion',
  facts: DenyFacts = {},
  banCheck: 'now' | 'by-caller' = 'now',
): Promise<WorkloadIdentity> {
  // RFC 8693 §2.2.2: an invalid subject_token or actor_token is invalid_request; RFC 7523 §3.1
  // with RFC 6749 §5.2: a client assertion that does not authenticate the client is invalid_client.
  const refuse = role === 'client_assertion' ? invalidClient : invalidRequest;
  let identity: WorkloadIdentity;
  try {
    identity = await deps.identity.verify(token);
  } catch (err) {
    if (!(err instanceof IdentityError)) throw err;
    // Without a verified writ's principal in `facts`, nothing is authenticated yet: budget per peer.
    const source = facts.principal === undefined ? { source: req.peer ?? 'unknown' } : {};
    await deps.audit.deny(denyEvent(deps, req, 'exchange.denied', [`${role}:${err.reason}`], facts), source);
    throw refuse(`${role} is not an acceptable workload identity (${err.reason})`);
  }
  const problem = clientAttributesProblem(identity.attributes);
  if (problem) {
    await deps.audit.deny(
      denyEvent(deps, req, 'exchange.denied', [`${role}:${problem}`], {
        ...facts,
        principal: facts.principal ?? identity.principal,
      }),
    );
    throw refuse(`${role} carries identity attributes policies cannot see whole (${problem})`);
  }
  if (banCheck === 'now') await checkIdentityNotBanned(deps, req, identity, role, facts);
  return identity;
}

export interface LiveWrit {
  claims: WritClaims;
  task: TaskRecord;
}

/** Verifies one of our writs and that its task and every ancestor are still live. */
export async function verifyLiveWrit(
  deps: IssuanceDeps,
  req: TokenExchangeRequest,
  token: string,
): Promise<LiveWrit> {
  let claims: WritClaims;
  try {
    claims = await deps.writs.verify(token);
  } catch (err) {
    if (!(err instanceof WritVerificationError)) throw err;
    await deps.audit.deny(denyEvent(deps, req, 'exchange.denied', [`subject_token:${err.reason}`]), {
      source: req.peer ?? 'unknown',
    });
    throw invalidRequest(`subject_token is not a valid writ (${err.reason})`);
  }
  const facts = writFacts(claims);
  // Allow-list: the writ itself, its task, every ancestor and every generation revocation.
  const liveness = await deps.store.checkWritLive(livenessInputOf(claims));
  const task = liveness.live ? await deps.store.getTask(claims.task.id) : null;
  if (!task) {
    const reason = liveness.live ? 'task_not_live' : liveness.reason;
    // Budgeted per writ: a dead writ is evidence, but not a way to flush the audit stream.
    await deps.audit.deny(denyEvent(deps, req, 'exchange.denied', [reason], facts), {
      source: `jti:${claims.jti}`,
    });
    const ended = liveness.live ? null : await endedStatusOf(deps, claims.task.id, liveness.reason);
    throw ended
      ? invalidRequest(`subject_token is no longer live: its task was ${ended}`, `task_${ended}`)
      : invalidRequest('subject_token is no longer live');
  }
  return { claims, task };
}

/** The requested plan; a malformed one is refused (RFC 8693 / RFC 9396 errors) and audited. */
export async function readRequestedPlan(
  deps: IssuanceDeps,
  req: TokenExchangeRequest,
  facts: DenyFacts,
): Promise<RequestedPlan> {
  try {
    return parseRequestedPlan(req.scope, req.authorization_details);
  } catch (err) {
    if (err instanceof OAuthError) {
      await deps.audit.deny(denyEvent(deps, req, 'exchange.denied', [`bad_plan:${err.error}`], facts));
    }
    throw err;
  }
}

/** One audience per writ, from `audience` or `resource`, on the configured list. */
export async function resolveAudience(
  deps: IssuanceDeps,
  req: TokenExchangeRequest,
  fallback: string | undefined,
  facts: DenyFacts,
): Promise<string> {
  const targets = [...new Set(req.targets)];
  if (targets.length > 1) {
    await deps.audit.deny(denyEvent(deps, req, 'exchange.denied', ['several_audiences'], facts));
    throw invalidTarget('a writ is issued for exactly one audience');
  }
  const audience = targets[0] ?? fallback;
  if (!audience) {
    await deps.audit.deny(denyEvent(deps, req, 'exchange.denied', ['no_audience'], facts));
    throw invalidRequest('audience or resource is required');
  }
  const allowed = deps.settings.allowAnyAudience || deps.settings.audiences.includes(audience);
  if (!allowed || audience.length > 512) {
    await deps.audit.deny(
      denyEvent(deps, req, 'exchange.denied', ['audience_not_allowed'], { ...facts, audience }),
    );
    throw invalidTarget('this audience is not served by this broker');
  }
  return audience;
}

/** Per-principal fixed window on the token endpoint (atomic in the store). */
export async function enforceRateLimit(
  deps: IssuanceDeps,
  req: TokenExchangeRequest,
  principal: string,
  facts: DenyFacts,
): Promise<void> {
  const { limit, windowSeconds } = deps.settings.rateLimit;
  const result = await deps.store.takeRateLimit(`token:${principal}`, limit, windowSeconds);
  if (result.allowed) return;
  await deps.audit.deny(denyEvent(deps, req, 'exchange.denied', ['rate_limited'], facts));
  throw slowDown(Math.max(1, result.retryAfterSeconds));
}

/** The Cedar principal of a verified workload identity. */
export function principalOf(identity: WorkloadIdentity): PolicyPrincipal {
  return policyPrincipal({
    id: identity.principal,
    issuer: identity.issuerId,
    attributes: identity.attributes,
  });
}

/** The Cedar principal of a task's client, as its record keeps it since the task began. */
export function principalOfTask(task: TaskRecord): PolicyPrincipal {
  return policyPrincipal({
    id: task.client_id,
    issuer: task.issuer,
    attributes: task.client_attributes ?? {},
  });
}
