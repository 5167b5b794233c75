import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuditLog } from '../../src/audit/audit-log.js';
import { bootstrapAdminKey } from '../../src/operators/bootstrap.js';
import { createOperatorKey } from '../../src/operators/manage-operator-keys.js';
import { generateKeyId } from '../../src/operators/operator-key.js';
import { silentLogger } from '../../src/shared/logger.js';
import { createTestOperatorKey } from '../support/fixtures.js';
import { runOperatorRouteSecurityTests } from '../support/operator-route-security.js';
import { createTestBroker, type TestBroker } from '../support/test-broker.js';

const KEY_FORMAT = /^writ_[a-z2-7]{16}_[A-Za-z0-9_-]{43}$/;
const NO_SUCH_KEY = { error: 'invalid_request', error_description: 'no such key' };

describe.each(['redis', 'memory'] as const)('/v1/operator-keys (%s)', (storeKind) => {
  let t: TestBroker;
  let admin: { id: string; key: string };
  const deps = () => ({
    store: t.store,
    clock: t.clock,
    audit: createAuditLog({ store: t.store, logger: silentLogger }),
  });

  beforeEach(async () => {
    t = await createTestBroker({ store: storeKind });
    const created = await createOperatorKey(
      deps(),
      { name: 'admin', roles: ['admin'] },
      { keyId: 'test-setup', requestId: 'test-setup' },
    );
    admin = { id: created.record.id, key: created.key };
  });
  afterEach(async () => t.close());

  const call = (method: string, path: string, body?: unknown, key = admin.key) =>
    t.app.request(path, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  const events = async (type: string) => (await t.auditEvents()).filter((e) => e.type === type);

  it('creates a key shown once, stores only an argon2id hash of its secret, and the key works', async () => {
    const res = await call('POST', '/v1/operator-keys', { name: 'on-call', roles: ['revoke', 'read'] });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { id: string; key: string; name: string; roles: string[] };
    expect(Object.keys(body).sort()).toEqual(['id', 'key', 'name', 'roles']);
    expect(body.key).toMatch(KEY_FORMAT);
    expect(body.key.slice(5, 21)).toBe(body.id);
    expect(body).toMatchObject({ name: 'on-call', roles: ['revoke', 'read'] });

    const record = await t.store.getOperatorKey(body.id);
    expect(record).toMatchObject({
      id: body.id,
      name: 'on-call',
      roles: ['revoke', 'read'],
      status: 'active',
    });
    expect(record?.hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const secret = body.key.slice(22);
    expect(JSON.stringify(await t.snapshot())).not.toContain(secret);
    expect(t.logs.join('')).not.toContain(secret);

    // The new key authenticates (403: it lacks admin, which proves it was accepted).
    expect((await call('GET', '/v1/operator-keys', undefined, body.key)).status).toBe(403);
    const created = (await events('operator_key.created')).at(-1);
    expect(created).toMatchObject({
      decision: 'info',
      operator_key_id: admin.id,
      detail: { key_id: body.id, name: 'on-call', roles: 'revoke read' },
    });
    expect(created?.request_id).toMatch(/.+/);
  });

  it('lists keys without hashes', async () => {
    await call('POST', '/v1/operator-keys', { name: 'reader', roles: ['read'] });
    const res = await call('GET', '/v1/operator-keys');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { keys } = (await res.json()) as { keys: Array<Record<string, unknown>> };
    expect(keys.map((k) => k.name).sort()).toEqual(['admin', 'reader']);
    for (const key of keys) {
      expect(Object.keys(key).sort()).toEqual(['created_at', 'id', 'name', 'roles', 'status', 'updated_at']);
    }
  });

  it.each([
    ['an unknown field', { name: 'x', roles: ['read'], hash: 'h' }],
    ['an unknown role', { name: 'x', roles: ['root'] }],
    ['no roles', { name: 'x', roles: [] }],
    ['repeated roles', { name: 'x', roles: ['read', 'read'] }],
    ['an empty name', { name: '', roles: ['read'] }],
    ['a control character in the name', { name: 'a\nb', roles: ['read'] }],
    ['a non-object', ['read']],
    ['invalid JSON', '{"name":'],
  ])('refuses a create body with %s (400, nothing written)', async (_name, body) => {
    const before = await t.store.listOperatorKeys();
    const res = await call('POST', '/v1/operator-keys', body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
    expect(await t.store.listOperatorKeys()).toEqual(before);
  });

  it('disables a key: 200, it stops working at once, audited with the acting key id', async () => {
    const created = (await (
      await call('POST', '/v1/operator-keys', { name: 'r', roles: ['admin'] })
    ).json()) as {
      id: string;
      key: string;
    };
    expect((await call('GET', '/v1/operator-keys', undefined, created.key)).status).toBe(200);
    const res = await call('POST', `/v1/operator-keys/${created.id}/disable`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: created.id, status: 'disabled' });
    expect((await call('GET', '/v1/operator-keys', undefined, created.key)).status).toBe(401);
    expect((await t.store.getOperatorKey(created.id))?.status).toBe('disabled');
    const [disabled] = await events('operator_key.disabled');
    expect(disabled).toMatchObject({ operator_key_id: admin.id, detail: { key_id: created.id } });
  });

  it('rotates a key: new secret, same id and roles, old secret refused, audited', async () => {
    const created = (await (
      await call('POST', '/v1/operator-keys', { name: 'r', roles: ['admin'] })
    ).json()) as {
      id: string;
      key: string;
    };
    const res = await call('POST', `/v1/operator-keys/${created.id}/rotate`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const rotated = (await res.json()) as { id: string; key: string };
    expect(Object.keys(rotated).sort()).toEqual(['id', 'key']);
    expect(rotated.id).toBe(created.id);
    expect(rotated.key).toMatch(KEY_FORMAT);
    expect(rotated.key).not.toBe(created.key);
    expect((await call('GET', '/v1/operator-keys', undefined, created.key)).status).toBe(401);
    expect((await call('GET', '/v1/operator-keys', undefined, rotated.key)).status).toBe(200);
    expect((await t.store.getOperatorKey(created.id))?.roles).toEqual(['admin']);
    const [event] = await events('operator_key.rotated');
    expect(event).toMatchObject({ operator_key_id: admin.id, detail: { key_id: created.id } });
    expect(t.logs.join('')).not.toContain(rotated.key.slice(22));
  });

  it.each(['disable', 'rotate'])('%s of an unknown or malformed id → 404 no such key', async (action) => {
    for (const id of [generateKeyId(), 'NOT-AN-ID', 'a'.repeat(300)]) {
      const res = await call('POST', `/v1/operator-keys/${id}/${action}`);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual(NO_SUCH_KEY);
    }
    expect(await events(`operator_key.${action === 'disable' ? 'disabled' : 'rotated'}`)).toEqual([]);
  });

  it('bootstraps one admin key per store, once, never again', async () => {
    const first = await bootstrapAdminKey(deps());
    expect(first).toMatch(KEY_FORMAT);
    expect(await bootstrapAdminKey(deps())).toBeNull();
    expect((await call('GET', '/v1/operator-keys', undefined, first as string)).status).toBe(200);
    const bootstrapped = await events('operator_key.bootstrapped');
    expect(bootstrapped).toHaveLength(1);
    expect(bootstrapped[0]).toMatchObject({ operator_key_id: (first as string).slice(5, 21) });
    expect(JSON.stringify(await t.snapshot())).not.toContain((first as string).slice(22));
  });
});

const adminOnly = {
  allowedRoles: ['admin'],
  refusedRoles: ['read', 'introspect', 'revoke', 'feed'],
} as const;
const someKeyId = async (t: TestBroker) => (await createTestOperatorKey(t, ['read'])).id;

runOperatorRouteSecurityTests({ method: 'GET', route: '/v1/operator-keys', ...adminOnly });
runOperatorRouteSecurityTests({
  method: 'POST',
  route: '/v1/operator-keys',
  body: { json: { name: 'ci', roles: ['read'] } },
  ...adminOnly,
});
runOperatorRouteSecurityTests({
  method: 'POST',
  route: '/v1/operator-keys/{id}/disable',
  path: async (t) => `/v1/operator-keys/${await someKeyId(t)}/disable`,
  ...adminOnly,
});
runOperatorRouteSecurityTests({
  method: 'POST',
  route: '/v1/operator-keys/{id}/rotate',
  path: async (t) => `/v1/operator-keys/${await someKeyId(t)}/rotate`,
  ...adminOnly,
});
