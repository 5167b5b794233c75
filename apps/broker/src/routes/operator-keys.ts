import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { invalidRequest, OAuthError } from '../errors.js';
import type { BrokerEnv } from '../http/env.js';
import { readJsonBody } from '../http/read-body.js';
import { requireOperator } from '../http/require-operator.js';
import {
  createOperatorKey,
  disableOperatorKey,
  listOperatorKeys,
  type OperatorActor,
  type OperatorKeyDeps,
  rotateOperatorKey,
} from '../operators/manage-operator-keys.js';
import type { OperatorAuthenticator } from '../operators/operator-authenticator.js';
import { isKeyId } from '../operators/operator-key.js';

export interface OperatorKeyRouteDeps extends OperatorKeyDeps {
  operators: OperatorAuthenticator;
}

const createSchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[\x20-\x7e]+$/, 'name must be printable ASCII'),
  roles: z
    .array(z.enum(['admin', 'revoke', 'read', 'introspect', 'feed']))
    .min(1)
    .max(4)
    .refine((roles) => new Set(roles).size === roles.length, 'roles must not repeat'),
});

const noSuchKey = () => new OAuthError(404, 'invalid_request', 'no such key');

/** /v1/operator-keys — create, list, disable and rotate operator keys (role `admin`). */
export function registerOperatorKeyRoutes(app: Hono<BrokerEnv>, deps: OperatorKeyRouteDeps) {
  const admin = requireOperator(deps.operators, 'admin');

  app.post('/v1/operator-keys', admin, async (c) => {
    const input = createSchema.safeParse(await readJsonBody(c));
    if (!input.success) throw invalidRequest(input.error.issues[0]?.message ?? 'invalid body');
    const { key, record } = await createOperatorKey(deps, input.data, actorOf(c));
    c.header('Cache-Control', 'no-store');
    return c.json({ id: record.id, key, name: record.name, roles: record.roles }, 201);
  });

  app.get('/v1/operator-keys', admin, async (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json({ keys: await listOperatorKeys(deps) });
  });

  app.post('/v1/operator-keys/:id/disable', admin, async (c) => {
    const id = c.req.param('id');
    // A malformed id names no key: the same 404, without a store read.
    if (!isKeyId(id) || !(await disableOperatorKey(deps, id, actorOf(c)))) throw noSuchKey();
    c.header('Cache-Control', 'no-store');
    return c.json({ id, status: 'disabled' });
  });

  app.post('/v1/operator-keys/:id/rotate', admin, async (c) => {
    const id = c.req.param('id');
    const rotated = isKeyId(id) ? await rotateOperatorKey(deps, id, actorOf(c)) : null;
    if (!rotated) throw noSuchKey();
    c.header('Cache-Control', 'no-store');
    return c.json(rotated);
  });
}

function actorOf(c: Context<BrokerEnv>): OperatorActor {
  const operator = c.get('operator');
  // requireOperator runs first on every route here; reaching this without it is a wiring bug.
  if (!operator) throw new Error('operator route without requireOperator');
  return { keyId: operator.keyId, requestId: c.get('requestId') };
}
