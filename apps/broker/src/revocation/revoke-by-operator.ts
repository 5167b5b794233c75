import type { AuditEvent, AuditEventType } from '../audit/audit-event.js';
import { invalidRequest, OAuthError } from '../errors.js';
import { issuerIdOfPrincipal } from '../identity/index.js';
import { REVOCATION_SKEW_SECONDS, type RevocationTarget } from '../store/index.js';
import { confirmRevocation, unlessStoreFails } from './confirm-revocation.js';
import { markRetentionSeconds } from './identity-ban.js';
import type { RevocationDeps } from './revocation-deps.js';

export interface OperatorRevocationInput {
  target: RevocationTarget;
  reason?: string;
  operatorKeyId: string;
  requestId: string;
}

export interface OperatorRevocationResult {
  revoked: RevocationTarget;
  /** False when it was already in force (idempotent repeat). */
  changed: boolean;
  /** The feed entry written, when changed. */
  feed_id?: string;
  /** principal / issuer / all: writs with a `gen` below this are revoked. */
  below_gen?: number;
}

const EVENT_TYPE: Record<RevocationTarget['kind'], AuditEventType> = {
  task: 'task.revoked',
  writ: 'writ.revoked',
  principal: 'principal.revoked',
  issuer: 'issuer.revoked',
  all: 'all.revoked',
};

/**
 * An operator's revocation. 200 only once it is durable and audited (confirmRevocation). A task
 * the store does not know is refused (404): nothing covered it, and a typo must not look like
 * success. An unknown jti is still recorded, so verifiers refuse a writ the store never saw
 * (issued before a data loss, or by another deployment sharing the key).
 */
export async function revokeByOperator(
  deps: Pick<RevocationDeps, 'store' | 'audit' | 'clock' | 'maxWritTtlSeconds' | 'issuerTokenAges'>,
  input: OperatorRevocationInput,
): Promise<OperatorRevocationResult> {
  const { target } = input;
  requirePossibleTarget(deps, target);
  const reason = input.reason ?? 'operator';
  const event: AuditEvent = {
    type: EVENT_TYPE[target.kind],
    time: deps.clock.nowMs(),
    request_id: input.requestId,
    decision: 'info',
    reasons: [reason],
    operator_key_id: input.operatorKeyId,
    ...factsOf(target),
  };
  if (target.kind === 'task') await requireKnownTask(deps, target.task_id, event);
  const result = await confirmRevocation(deps, {
    target,
    reason,
    audit: event,
    ...(target.kind === 'writ' ? { writUntil: deps.clock.nowSeconds() + deps.maxWritTtlSeconds } : {}),
    ...(target.kind === 'principal' || target.kind === 'issuer' ? { markUntil: markUntil(deps) } : {}),
  });
  return {
    revoked: target,
    changed: result.changed,
    ...(result.entry ? { feed_id: result.entry.id } : {}),
    ...(result.entry?.below_gen !== undefined ? { below_gen: result.entry.below_gen } : {}),
  };
}

/**
 * A principal or issuer no verified identity could ever carry (a malformed SPIFFE ID, an upper-case
 * trust domain, an issuer that is not configured) is a typo, not a revocation: refused with 400
 * before anything is written — instead of a global generation bump that revokes nothing.
 */
function requirePossibleTarget(
  deps: Pick<RevocationDeps, 'issuerTokenAges'>,
  target: RevocationTarget,
): void {
  if (target.kind === 'principal') {
    const issuer = issuerIdOfPrincipal(target.principal);
    if (issuer === undefined) {
      throw invalidRequest('principal must be a SPIFFE ID or oidc:<issuer name>:<claim value>');
    }
    if (!deps.issuerTokenAges.has(issuer)) {
      throw invalidRequest(`principal names an identity issuer this broker does not trust (${issuer})`);
    }
  }
  if (target.kind === 'issuer' && !deps.issuerTokenAges.has(target.issuer)) {
    throw invalidRequest('issuer must be a configured spiffe:<trust domain> or oidc:<name>');
  }
}

/** When a principal or issuer mark made now covers nothing any more (epoch s). */
function markUntil(deps: Pick<RevocationDeps, 'clock' | 'maxWritTtlSeconds' | 'issuerTokenAges'>): number {
  const retention = markRetentionSeconds({
    maxWritTtlSeconds: deps.maxWritTtlSeconds,
    skewSeconds: REVOCATION_SKEW_SECONDS,
    maxTokenAgeSeconds: Math.max(0, ...deps.issuerTokenAges.values()),
  });
  return Math.ceil(deps.clock.nowMs() / 1000) + retention;
}

async function requireKnownTask(
  deps: Pick<RevocationDeps, 'store' | 'audit'>,
  taskId: string,
  event: AuditEvent,
): Promise<void> {
  if (await unlessStoreFails(() => deps.store.getTask(taskId))) return;
  await deps.audit.deny({ ...event, type: 'revocation.denied', decision: 'deny', reasons: ['task_unknown'] });
  throw new OAuthError(404, 'invalid_request', 'no such task');
}

function factsOf(target: RevocationTarget): Partial<AuditEvent> {
  switch (target.kind) {
    case 'task':
      return { task_id: target.task_id };
    case 'writ':
      return { jti: target.jti };
    case 'principal':
      return { principal: target.principal };
    case 'issuer':
      return { detail: { issuer: target.issuer } };
    case 'all':
      return {};
  }
}
