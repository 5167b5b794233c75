import { GRANT_TYPE_TOKEN_EXCHANGE, HANDOFF_TOKEN_TYPE, TOKEN_TYPE } from '@writ/claims';
import { invalidRequest, unsupportedGrantType } from '../errors.js';
import { acceptHandoff } from './accept-handoff.js';
import { denyEvent, verifyLiveWrit, verifyWorkload } from './exchange-steps.js';
import type { IssuanceDeps } from './issuance-deps.js';
import { narrowWrit, reissueWrit } from './narrow-writ.js';
import { requestHandoff } from './request-handoff.js';
import { startTask } from './start-task.js';
import type { TokenExchangeRequest, TokenExchangeResult } from './token-request.js';

const IDENTITY_TOKEN_TYPES: readonly string[] = [TOKEN_TYPE.jwt, TOKEN_TYPE.idToken];
const WRIT_TOKEN_TYPES: readonly string[] = [TOKEN_TYPE.accessToken, TOKEN_TYPE.jwt];
const ISSUABLE_TOKEN_TYPES: readonly string[] = [...WRIT_TOKEN_TYPES, HANDOFF_TOKEN_TYPE];

/**
 * RFC 8693 token exchange. A workload JWT starts a task; a writ alone gets another writ of its
 * task (with the task client's own identity as actor_token, for another audience); a writ with
 * requested_token_type = handoff asks for a handoff to a worker; a handoff plus the worker's own
 * identity (actor_token) gets the worker its child writ (docs/handoff.md).
 */
export async function exchangeToken(
  deps: IssuanceDeps,
  req: TokenExchangeRequest,
): Promise<TokenExchangeResult> {
  if (req.grant_type !== GRANT_TYPE_TOKEN_EXCHANGE) {
    throw req.grant_type
      ? unsupportedGrantType('the grants are token exchange (RFC 8693) and client_credentials')
      : invalidRequest('grant_type is required');
  }
  if (!req.subject_token) throw invalidRequest('subject_token is required');
  if (!req.subject_token_type) throw invalidRequest('subject_token_type is required');
  if (req.requested_token_type && !ISSUABLE_TOKEN_TYPES.includes(req.requested_token_type)) {
    throw invalidRequest('requested_token_type must be an access token or a handoff');
  }
  // RFC 8693 §2.1: actor_token_type is required exactly when actor_token is present.
  if (Boolean(req.actor_token) !== Boolean(req.actor_token_type)) {
    throw invalidRequest('actor_token and actor_token_type go together');
  }
  if (req.actor_token && !IDENTITY_TOKEN_TYPES.includes(req.actor_token_type ?? '')) {
    throw invalidRequest('actor_token_type must be a JWT workload identity');
  }
  const wantsHandoff = req.requested_token_type === HANDOFF_TOKEN_TYPE;
  if (wantsHandoff && req.subject_token_type !== TOKEN_TYPE.accessToken) {
    throw invalidRequest('a handoff is asked for with a writ (subject_token_type access_token)');
  }
  if (!wantsHandoff && req.may_act) throw invalidRequest('may_act goes with requested_token_type handoff');
  if (req.subject_token_type === HANDOFF_TOKEN_TYPE) {
    if (!req.actor_token)
      throw invalidRequest("a handoff is accepted with the worker's own identity as actor_token");
    if (req.requested_token_type && !WRIT_TOKEN_TYPES.includes(req.requested_token_type)) {
      throw invalidRequest('a handoff is exchanged for a writ');
    }
    return acceptHandoff(deps, req, req.subject_token, req.actor_token);
  }
  if (req.subject_token_type === TOKEN_TYPE.accessToken) {
    if (wantsHandoff) return requestHandoff(deps, req, req.subject_token);
    return req.actor_token
      ? retargetWrit(deps, req, req.subject_token, req.actor_token)
      : narrowWrit(deps, req, req.subject_token);
  }
  if (IDENTITY_TOKEN_TYPES.includes(req.subject_token_type)) {
    if (req.actor_token)
      throw invalidRequest('an actor_token goes with a writ or a handoff as subject_token');
    return startTask(deps, req, req.subject_token);
  }
  throw invalidRequest('unsupported subject_token_type');
}

/**
 * Flow 2 with the task client's own identity as actor_token: another writ of the task, for
 * another audience if asked. Any other actor is refused: a worker's identity never travels to
 * the orchestrator; delegation goes through a handoff (docs/handoff.md).
 */
async function retargetWrit(
  deps: IssuanceDeps,
  req: TokenExchangeRequest,
  subjectToken: string,
  actorToken: string,
): Promise<TokenExchangeResult> {
  const live = await verifyLiveWrit(deps, req, subjectToken);
  const facts = { principal: live.claims.sub, task_id: live.task.id, jti: live.claims.jti };
  const actor = await verifyWorkload(deps, req, actorToken, 'actor_token', facts);
  if (actor.principal !== live.task.client_id) {
    await deps.audit.deny(
      denyEvent(deps, req, 'delegation.denied', ['actor_not_task_client'], {
        ...facts,
        actor_chain: [actor.principal],
      }),
    );
    throw invalidRequest(
      "actor_token must be the task client's own identity; delegate to a worker with a handoff",
      'delegate_with_handoff',
    );
  }
  return reissueWrit(deps, req, live, true);
}
