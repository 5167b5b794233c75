import { invalidClient, invalidRequest } from '../errors.js';
import { denyEvent, verifyWorkload } from './exchange-steps.js';
import type { IssuanceDeps } from './issuance-deps.js';
import { startTaskFor } from './start-task.js';
import type { TokenExchangeRequest, TokenExchangeResult } from './token-request.js';

/** RFC 6749 §4.4.2. */
export const GRANT_TYPE_CLIENT_CREDENTIALS = 'client_credentials';
/** RFC 7523 §2.2: the client authenticates with a JWT (OAuth's `private_key_jwt`). */
export const CLIENT_ASSERTION_TYPE_JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

// Token-exchange parameters make a client_credentials request ambiguous: refused, not ignored.
const EXCHANGE_ONLY = ['subject_token', 'actor_token', 'requested_token_type', 'may_act'] as const;

/**
 * RFC 6749 §4.4 client credentials, authenticated by an RFC 7523 §2.2 client assertion that is
 * the workload identity itself (a JWT-SVID, whose `aud` is the broker, or a configured OIDC
 * token): MCP's `io.modelcontextprotocol/oauth-client-credentials` extension. It starts a task
 * exactly as a token exchange with that identity as subject_token would (the same identity
 * checks, plan, audience, rate limit, Cedar and audit): `resource` (RFC 8707) names the audience,
 * `scope` the tools, and `client_id`, when sent, must be the identity's principal.
 */
export async function clientCredentialsGrant(
  deps: IssuanceDeps,
  req: TokenExchangeRequest,
): Promise<TokenExchangeResult> {
  for (const name of EXCHANGE_ONLY) {
    if (req[name] !== undefined)
      throw invalidRequest(`${name} does not go with grant_type client_credentials`);
  }
  if (req.client_assertion_type !== CLIENT_ASSERTION_TYPE_JWT_BEARER || !req.client_assertion) {
    // RFC 6749 §5.2: no client authentication, or an unsupported method, is invalid_client.
    throw invalidClient(
      `client_credentials needs client_assertion_type=${CLIENT_ASSERTION_TYPE_JWT_BEARER} and a client_assertion (the workload identity)`,
    );
  }
  const identity = await verifyWorkload(deps, req, req.client_assertion, 'client_assertion', {}, 'by-caller');
  if (req.client_id !== undefined && req.client_id !== identity.principal) {
    await deps.audit.deny(
      denyEvent(deps, req, 'exchange.denied', ['client_id_mismatch'], { principal: identity.principal }),
    );
    throw invalidClient("client_id is not the client_assertion's principal");
  }
  return startTaskFor(deps, req, identity, 'client_assertion');
}
