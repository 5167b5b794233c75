import type { Context, Hono } from 'hono';
import { z } from 'zod';
import { invalidRequest, OAuthError } from '../errors.js';
import type { BrokerEnv } from '../http/env.js';
import { readJsonBody } from '../http/read-body.js';
import { requireOperator } from '../http/require-operator.js';
import {
  createOperatorKey,
  deleteOperatorKey,
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
  /** Epoch seconds, in the future. */
  expires_at: z.number().int().positive().max(253_402_300_799).optional(),
});

/** Longest rotation overlap: a day is ample to roll a secret out to every follower. */
const MAX_OVERLAP_SECONDS = 86_400;
const rotateSchema = z.strictObject({
  overlap_seconds: z.number().int().min(0).max(MAX_OVERLAP_SECONDS).optional(),
});

const noSuchKey = () => new OAuthError(404, 'invalid_request', 'no such key');

/** /v1/operator-keys — create, list, disable, rotate and delete operator keys (role `admin`). */
export function registerOperatorKeyRoutes(app: Hono<BrokerEnv>, deps: OperatorKeyRouteDeps) {
  const admin = requireOperator(deps.operators, 'admin');

  app.post('/v1/operator-keys', admin, async (c) => {
    const input = createSchema.safeParse(await readJsonBody(c));
    if (!input.success) throw invalidRequest(input.error.issues[0]?.message ?? 'invalid body');
    const { expires_at, ...rest } = input.data;
    if (expires_at !== undefined && expires_at <= deps.clock.nowSeconds()) {
      throw invalidRequest('expires_at must be in the future');
    }
    const { key, record } = await createOperatorKey(
      deps,
      { ...rest, ...(expires_at === undefined ? {} : { expires_at }) },
      actorOf(c),
    );
    c.header('Cache-Control', 'no-store');
    return c.json(
      {
        id: record.id,
        key,
        name: record.name,
        roles: record.roles,
        ...(record.expires_at === undefined ? {} : { expires_at: record.expires_at }),
      },
      201,
    );
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
    // The body is optional: no body is an immediate rotation, as before overlaps existed.
    const empty = (await c.req.text()).trim() === '';
    const input = rotateSchema.safeParse(empty ? {} : await readJsonBody(c));
    if (!input.success) throw invalidRequest(input.error.issues[0]?.message ?? 'invalid body');
    if (!isKeyId(id)) throw noSuchKey();
    const rotated = await rotateOperatorKey(deps, id, actorOf(c), input.data.overlap_seconds ?? 0);
    if (rotated.status === 'missing') throw noSuchKey();
    if (rotated.status === 'disabled') {
      throw new OAuthError(409, 'invalid_request', 'the key is disabled: create a new key instead');
    }
    const { status: _status, ...answer } = rotated;
    c.header('Cache-Control', 'no-store');
    return c.json(answer);
  });

  app.delete('/v1/operator-keys/:id', admin, async (c) => {
    const id = c.req.param('id');
    if (!isKeyId(id) || !(await deleteOperatorKey(deps, id, actorOf(c)))) throw noSuchKey();
    c.header('Cache-Control', 'no-store');
    return c.json({ id, deleted: true });
  });
}

function actorOf(c: Context<BrokerEnv>): OperatorActor {
  const operator = c.get('operator');
  // requireOperator runs first on every route here; reaching this without it is a wiring bug.
  if (!operator) throw new Error('operator route without requireOperator');
  return { keyId: operator.keyId, requestId: c.get('requestId') };
}
