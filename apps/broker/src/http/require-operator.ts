import type { MiddlewareHandler } from 'hono';
import type { OperatorAuthenticator } from '../operators/operator-authenticator.js';
import type { OperatorRole } from '../store/index.js';
import type { BrokerEnv } from './env.js';
import { peerAddressOf } from './peer-address.js';

/**
 * Operator routes: authenticates the key (401/429/503 from the authenticator), then requires one
 * of `roles` (403 `insufficient_scope`). Sets `c.var.operator`.
 */
export function requireOperator(
  authenticator: OperatorAuthenticator,
  ...roles: OperatorRole[]
): MiddlewareHandler<BrokerEnv> {
  if (roles.length === 0) throw new Error('requireOperator needs at least one role');
  return async (c, next) => {
    const requestId = c.get('requestId');
    const operator = await authenticator.authenticate(
      c.req.header('authorization'),
      peerAddressOf(c),
      requestId,
    );
    await authenticator.requireRole(operator, roles, requestId, `${c.req.method} ${c.req.routePath}`);
    c.set('operator', operator);
    await next();
  };
}
