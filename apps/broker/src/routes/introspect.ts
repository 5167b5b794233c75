import type { Hono } from 'hono';
import { invalidRequest } from '../errors.js';
import type { BrokerEnv } from '../http/env.js';
import { readFormBody } from '../http/read-body.js';
import { requireOperator } from '../http/require-operator.js';
import type { OperatorAuthenticator } from '../operators/operator-authenticator.js';
import { introspectWrit } from '../runtime/introspect-writ.js';
import type { RuntimeDeps } from '../runtime/runtime-deps.js';

/**
 * POST /oauth2/introspect — RFC 7662. RFC 7662 §2.1 requires the endpoint to authenticate its
 * callers; here that is an operator key with the `introspect` role (admin implies it).
 */
export function registerIntrospectRoute(
  app: Hono<BrokerEnv>,
  deps: RuntimeDeps & { operators: OperatorAuthenticator },
) {
  app.post('/oauth2/introspect', requireOperator(deps.operators, 'introspect'), async (c) => {
    const form = await readFormBody(c);
    const tokens = form.getAll('token');
    // RFC 7662 §2.1: `token` is required; `token_type_hint` is optional and may be ignored.
    if (tokens.length !== 1 || !tokens[0]) throw invalidRequest('exactly one token is required');
    const operator = c.get('operator');
    if (!operator) throw new Error('requireOperator did not set the operator');
    const result = await introspectWrit(deps, {
      token: tokens[0],
      operatorKeyId: operator.keyId,
      requestId: c.get('requestId'),
    });
    c.header('Cache-Control', 'no-store');
    c.header('Pragma', 'no-cache');
    return c.json(result);
  });
}
