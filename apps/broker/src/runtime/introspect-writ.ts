import type { WritClaims } from '@writ/claims';
import type { AuditEvent } from '../audit/audit-event.js';
import { writFacts } from '../audit/writ-facts.js';
import { WritVerificationError } from '../signing/index.js';
import { StoreUnavailableError } from '../store/index.js';
import { livenessInputOf } from './liveness-input.js';
import type { RuntimeDeps } from './runtime-deps.js';

export interface IntrospectWritInput {
  token: string;
  operatorKeyId: string;
  requestId: string;
}

/** RFC 7662 §2.2: an active writ's claims, or `{ active: false }` and nothing else. */
export type IntrospectionResponse =
  | ({ active: true; token_type: 'Bearer' | 'DPoP' } & ActiveClaims)
  | { active: false };

type ActiveClaims = Pick<
  WritClaims,
  | 'iss'
  | 'sub'
  | 'client_id'
  | 'aud'
  | 'iat'
  | 'nbf'
  | 'exp'
  | 'jti'
  | 'scope'
  | 'gen'
  | 'task'
  | 'act'
  | 'cnf'
  | 'authorization_details'
>;

/**
 * RFC 7662 introspection of a writ. Active only when the writ verifies and the store confirms its
 * writ, task and every ancestor are live — an allow-list, so a lost or unreachable Redis throws
 * StoreUnavailableError (→ 503) rather than answering either way. One `writ.introspected` event
 * per call; if it cannot be stored the answer is withheld (503).
 */
export async function introspectWrit(
  deps: Pick<RuntimeDeps, 'writs' | 'store' | 'audit' | 'clock'>,
  input: IntrospectWritInput,
): Promise<IntrospectionResponse> {
  let facts: Partial<AuditEvent> = {};
  const event = (reasons: string[], detail?: AuditEvent['detail']): AuditEvent => ({
    type: 'writ.introspected',
    time: deps.clock.nowMs(),
    request_id: input.requestId,
    decision: 'info',
    reasons,
    operator_key_id: input.operatorKeyId,
    ...facts,
    ...(detail ? { detail } : {}),
  });
  try {
    let claims: WritClaims;
    try {
      claims = await deps.writs.verify(input.token);
    } catch (err) {
      if (!(err instanceof WritVerificationError)) throw err;
      await record(deps, event([`writ:${err.reason}`], { active: false }));
      return { active: false };
    }
    facts = writFacts(claims);
    const liveness = await deps.store.checkWritLive(livenessInputOf(claims));
    await record(deps, event(liveness.live ? [] : [liveness.reason], { active: liveness.live }));
    return liveness.live ? activeResponse(claims) : { active: false };
  } catch (err) {
    // The answer (or its audit record) is unknown: the named log line is the only record left.
    if (err instanceof StoreUnavailableError) deps.audit.log(event(['store_unavailable']));
    throw err;
  }
}

async function record(deps: Pick<RuntimeDeps, 'store' | 'audit'>, event: AuditEvent): Promise<void> {
  await deps.store.appendAudit(event);
  deps.audit.log(event);
}

function activeResponse(claims: WritClaims): IntrospectionResponse {
  return {
    active: true,
    iss: claims.iss,
    sub: claims.sub,
    client_id: claims.client_id,
    aud: claims.aud,
    iat: claims.iat,
    nbf: claims.nbf,
    exp: claims.exp,
    jti: claims.jti,
    scope: claims.scope,
    // RFC 9449 §6.2: a DPoP-bound writ introspects as token_type DPoP with its `cnf.jkt`.
    token_type: claims.cnf ? 'DPoP' : 'Bearer',
    gen: claims.gen,
    task: claims.task,
    ...(claims.act ? { act: claims.act } : {}),
    ...(claims.cnf ? { cnf: claims.cnf } : {}),
    authorization_details: claims.authorization_details,
  };
}
