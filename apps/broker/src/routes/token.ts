import type { Hono } from 'hono';
import { invalidRequest } from '../errors.js';
import type { BrokerEnv } from '../http/env.js';
import { peerAddressOf } from '../http/peer-address.js';
import { readFormBody } from '../http/read-body.js';
import type { IssuanceDeps } from '../issuance/issuance-deps.js';
import { issueToken } from '../issuance/issue-token.js';
import type { TokenExchangeRequest } from '../issuance/token-request.js';

/**
 * POST /oauth2/token — RFC 8693 token exchange, and RFC 6749 §4.4 client credentials with the
 * workload identity as RFC 7523 client_assertion (MCP's client-credentials extension); form-encoded.
 */
export function registerTokenRoute(app: Hono<BrokerEnv>, deps: IssuanceDeps) {
  app.post('/oauth2/token', async (c) => {
    const form = await readFormBody(c);
    const req = { ...readRequest(form, c.get('requestId')), peer: peerAddressOf(c) };
    const result = await issueToken(deps, req);
    c.header('Cache-Control', 'no-store');
    c.header('Pragma', 'no-cache');
    return c.json(result);
  });
}

const SINGLE = [
  'grant_type',
  'subject_token',
  'subject_token_type',
  'actor_token',
  'actor_token_type',
  'requested_token_type',
  'may_act',
  'scope',
  'authorization_details',
  'client_assertion',
  'client_assertion_type',
  'client_id',
] as const;

/** RFC 6749 §3.2: parameters must not repeat; unknown ones (e.g. `sub`, `exp`) are ignored. */
function readRequest(form: URLSearchParams, requestId: string): TokenExchangeRequest {
  const req: TokenExchangeRequest = {
    targets: [...form.getAll('audience'), ...form.getAll('resource')],
    requestId,
  };
  for (const name of SINGLE) {
    const values = form.getAll(name);
    if (values.length > 1) throw invalidRequest(`${name} must not be repeated`);
    if (values[0] !== undefined && values[0] !== '') req[name] = values[0];
  }
  return req;
}
