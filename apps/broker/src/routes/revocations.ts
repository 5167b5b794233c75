import type { Hono } from 'hono';
import { invalidRequest } from '../errors.js';
import type { BrokerEnv } from '../http/env.js';
import { readJsonBody } from '../http/read-body.js';
import { requireOperator } from '../http/require-operator.js';
import type { OperatorAuthenticator } from '../operators/operator-authenticator.js';
import type { RevocationDeps } from '../revocation/revocation-deps.js';
import { revocationRequestSchema, targetOf } from '../revocation/revocation-request.js';
import { revokeByOperator } from '../revocation/revoke-by-operator.js';

export interface RevocationRouteDeps extends RevocationDeps {
  operators: OperatorAuthenticator;
}

const SHAPE =
  'the body must name exactly one of "task", "jti", "principal", "issuer" or "all": true, ' +
  'plus an optional "reason" (1-200 characters, no control characters)';

/**
 * POST /v1/revocations (role `revoke`) — revoke by task, writ, principal, issuer or everything
 * issued so far; 200 only once durable and audited. GET /v1/revocations (role `feed`,
 * `read`, `introspect` or `revoke`) — the snapshot a verifier rebuilds its view from.
 */
export function registerRevocationRoutes(app: Hono<BrokerEnv>, deps: RevocationRouteDeps) {
  app.post('/v1/revocations', requireOperator(deps.operators, 'revoke'), async (c) => {
    const raw = await readJsonBody(c);
    const parsed = revocationRequestSchema.safeParse(raw);
    if (!parsed.success) throw invalidRequest(SHAPE);
    const operator = c.get('operator');
    if (!operator) throw new Error('requireOperator did not set the operator');
    const result = await revokeByOperator(deps, {
      target: targetOf(parsed.data),
      ...(parsed.data.reason !== undefined ? { reason: parsed.data.reason } : {}),
      operatorKeyId: operator.keyId,
      requestId: c.get('requestId'),
    });
    c.header('Cache-Control', 'no-store');
    return c.json(result);
  });

  app.get(
    '/v1/revocations',
    requireOperator(deps.operators, 'feed', 'read', 'introspect', 'revoke'),
    async (c) => {
      const snapshot = await deps.store.revocationSnapshot();
      c.header('Cache-Control', 'no-store');
      return c.json(snapshot);
    },
  );
}
