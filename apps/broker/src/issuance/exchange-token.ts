import { GRANT_TYPE_TOKEN_EXCHANGE, TOKEN_TYPE } from '@writ/claims';
import { invalidRequest, unsupportedGrantType } from '../errors.js';
import { delegateTask } from './delegate-task.js';
import type { IssuanceDeps } from './issuance-deps.js';
import { narrowWrit } from './narrow-writ.js';
import { startTask } from './start-task.js';
import type { TokenExchangeRequest, TokenExchangeResult } from './token-request.js';

const IDENTITY_TOKEN_TYPES: readonly string[] = [TOKEN_TYPE.jwt, TOKEN_TYPE.idToken];
const ISSUABLE_TOKEN_TYPES: readonly string[] = [TOKEN_TYPE.accessToken, TOKEN_TYPE.jwt];

/**
 * RFC 8693 token exchange. A workload JWT starts a task; a writ alone gets another writ of its
 * task; a writ plus an actor_token delegates a narrower child task to the actor.
 */
export async function exchangeToken(
  deps: IssuanceDeps,
  req: TokenExchangeRequest,
): Promise<TokenExchangeResult> {
  if (req.grant_type !== GRANT_TYPE_TOKEN_EXCHANGE) {
    throw req.grant_type
      ? unsupportedGrantType('only token exchange (RFC 8693) is supported')
      : invalidRequest('grant_type is required');
  }
  if (!req.subject_token) throw invalidRequest('subject_token is required');
  if (!req.subject_token_type) throw invalidRequest('subject_token_type is required');
  if (req.requested_token_type && !ISSUABLE_TOKEN_TYPES.includes(req.requested_token_type)) {
    throw invalidRequest('requested_token_type must be an access token');
  }
  // RFC 8693 §2.1: actor_token_type is required exactly when actor_token is present.
  if (Boolean(req.actor_token) !== Boolean(req.actor_token_type)) {
    throw invalidRequest('actor_token and actor_token_type go together');
  }
  if (req.actor_token && !IDENTITY_TOKEN_TYPES.includes(req.actor_token_type ?? '')) {
    throw invalidRequest('actor_token_type must be a JWT workload identity');
  }
  if (req.subject_token_type === TOKEN_TYPE.accessToken) {
    return req.actor_token
      ? delegateTask(deps, req, req.subject_token, req.actor_token)
      : narrowWrit(deps, req, req.subject_token);
  }
  if (IDENTITY_TOKEN_TYPES.includes(req.subject_token_type)) {
    if (req.actor_token) throw invalidRequest('delegation needs a writ as subject_token');
    return startTask(deps, req, req.subject_token);
  }
  throw invalidRequest('unsupported subject_token_type');
}
