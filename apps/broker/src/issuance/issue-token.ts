import { clientCredentialsGrant, GRANT_TYPE_CLIENT_CREDENTIALS } from './client-credentials.js';
import { exchangeToken } from './exchange-token.js';
import type { IssuanceDeps } from './issuance-deps.js';
import type { TokenExchangeRequest, TokenExchangeResult } from './token-request.js';

/**
 * The token endpoint's grants: RFC 6749 §4.4 client credentials (an agent's workload identity as
 * RFC 7523 client assertion starts a task), and RFC 8693 token exchange for everything else
 * (which answers unsupported_grant_type for any other grant).
 */
export function issueToken(deps: IssuanceDeps, req: TokenExchangeRequest): Promise<TokenExchangeResult> {
  return req.grant_type === GRANT_TYPE_CLIENT_CREDENTIALS
    ? clientCredentialsGrant(deps, req)
    : exchangeToken(deps, req);
}
