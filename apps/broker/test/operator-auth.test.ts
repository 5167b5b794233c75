import { afterEach, describe, expect, it } from 'vitest';
import { createAuditLog } from '../src/audit/audit-log.js';
import type { BrokerConfig } from '../src/config.js';
import { verifySecret } from '../src/operators/key-hashing.js';
import { createOperatorKey, disableOperatorKey } from '../src/operators/manage-operator-keys.js';
import { formatOperatorKey, generateOperatorKey } from '../src/operators/operator-key.js';
import { silentLogger } from '../src/shared/logger.js';
import type { OperatorRole } from '../src/store/index.js';
import { createTestBroker, type TestBroker } from './support/test-broker.js';

const INVALID_BODY = '{"error":"invalid_token","error_description":"invalid operator credentials"}';
const SETUP = { keyId: 'test-setup', requestId: 'test-setup' };

describe.each(['redis', 'memory'] as const)('operator key authentication (%s)', (storeKind) => {
  let t: TestBroker;
  let argon2Runs = 0;
  afterEach(async () => t?.close());

  async function start(options: { devAdminKey?: string; failureLimit?: number } = {}) {
    argon2Runs = 0;
    t = await createTestBroker({
      store: storeKind,
      ...(options.devAdminKey
        ? { config: (c: BrokerConfig): BrokerConfig => ({ ...c, devAdminKey: options.devAdminKey ?? '' }) }
        : {}),
      operatorAuth: {
        verifyHash: (hash, secret) => {
          argon2Runs++;
          return verifySecret(hash, secret);
        },
        ...(options.failureLimit ? { failureLimit: { limit: options.failureLimit, windowSeconds: 60 } } : {}),
      },
    });
    return t;
  }

  const deps = () => ({
    store: t.store,
    clock: t.clock,
    audit: createAuditLog({ store: t.store, logger: silentLogger }),
  });
  const newKey = async (roles: OperatorRole[]) => createOperatorKey(deps(), { name: 'k', roles }, SETUP);
  const listKeys = (authorization?: string) =>
    t.app.request('/v1/operator-keys', authorization === undefined ? {} : { headers: { authorization } });

  async function expectInvalid(res: Response) {
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.text()).toBe(INVALID_BODY);
  }

  it('answers missing, malformed, unknown, wrong and disabled keys with one identical 401', async () => {
    await start();
    const good = await newKey(['admin']);
    const disabled = await newKey(['admin']);
    await disableOperatorKey(deps(), disabled.record.id, SETUP);
    const wrongSecret = formatOperatorKey(good.record.id, generateOperatorKey().secret);
    const unknown = generateOperatorKey().key;

    const cases: Array<[string | undefined, number]> = [
      [undefined, 0],
      ['Bearer', 0],
      [`Basic ${good.key}`, 0],
      ['Bearer writ_not-a-key', 0],
      [`Bearer ${good.key}x`, 0],
      [`Bearer ${unknown}`, 1],
      [`Bearer ${wrongSecret}`, 1],
      [`Bearer ${disabled.key}`, 1],
    ];
    for (const [authorization, runs] of cases) {
      const before = argon2Runs;
      await expectInvalid(await listKeys(authorization));
      // Malformed keys cost no argon2; an unknown id costs exactly as much as a wrong secret.
      expect(argon2Runs - before).toBe(runs);
    }
    expect((await listKeys(`Bearer ${good.key}`)).status).toBe(200);

    const failed = (await t.auditEvents()).filter((e) => e.type === 'operator.auth_failed');
    expect(failed.map((e) => [e.decision, (e.reasons as string[])[0], e.operator_key_id])).toEqual([
      ['deny', 'missing_credentials', undefined],
      ['deny', 'missing_credentials', undefined],
      ['deny', 'missing_credentials', undefined],
      ['deny', 'malformed_key', undefined],
      ['deny', 'malformed_key', undefined],
      ['deny', 'unknown_key', unknown.slice(5, 21)],
      ['deny', 'wrong_secret', good.record.id],
      ['deny', 'key_disabled', disabled.record.id],
    ]);
    const everything = JSON.stringify(await t.snapshot()) + t.logs.join('');
    for (const secret of [good.key, disabled.key, wrongSecret, unknown]) {
      expect(everything).not.toContain(secret.slice(22));
    }
  });

  it('refuses a key without the role with 403 insufficient_scope', async () => {
    await start();
    const reader = await newKey(['read', 'introspect']);
    const res = await listKeys(`Bearer ${reader.key}`);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      error: 'insufficient_scope',
      error_description: 'this operation needs the admin role',
    });
  });

  it('serves a verified key from the cache without argon2, but a disable takes effect at once', async () => {
    await start();
    const admin = await newKey(['admin']);
    expect((await listKeys(`Bearer ${admin.key}`)).status).toBe(200);
    expect((await listKeys(`Bearer ${admin.key}`)).status).toBe(200);
    expect(argon2Runs).toBe(1);

    await disableOperatorKey(deps(), admin.record.id, SETUP);
    await expectInvalid(await listKeys(`Bearer ${admin.key}`));
  });

  it('a rotation invalidates the old (cached) key at once and the new key works', async () => {
    await start();
    const admin = await newKey(['admin']);
    const reader = await newKey(['read']);
    expect((await listKeys(`Bearer ${reader.key}`)).status).toBe(403);
    const runs = argon2Runs;
    expect((await listKeys(`Bearer ${reader.key}`)).status).toBe(403);
    expect(argon2Runs).toBe(runs);

    const rotate = await t.app.request(`/v1/operator-keys/${reader.record.id}/rotate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.key}` },
    });
    expect(rotate.status).toBe(200);
    const rotated = (await rotate.json()) as { id: string; key: string };
    expect(rotated.id).toBe(reader.record.id);
    await expectInvalid(await listKeys(`Bearer ${reader.key}`));
    expect((await listKeys(`Bearer ${rotated.key}`)).status).toBe(403);
  });

  it('rate limits failed attempts before argon2: 50 bad keys in a row → 429 with Retry-After', async () => {
    await start({ failureLimit: 20 });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 50; i++) {
      const res = await listKeys(`Bearer ${generateOperatorKey().key}`);
      statuses.push(res.status);
      if (res.status === 429) {
        retryAfter = res.headers.get('retry-after');
        expect(await res.json()).toEqual({ error: 'slow_down', error_description: 'too many requests' });
      }
    }
    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(401));
    expect(statuses.slice(20)).toEqual(Array(30).fill(429));
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(retryAfter)).toBeLessThanOrEqual(60);
    expect(argon2Runs).toBe(20);
    // A blocked client is refused before anything, even with a good key.
    const admin = await newKey(['admin']);
    expect((await listKeys(`Bearer ${admin.key}`)).status).toBe(429);
    expect(argon2Runs).toBe(20);
    t.clock.advance(61_000);
    expect((await listKeys(`Bearer ${admin.key}`)).status).toBe(200);
  });

  it('bounds argon2 work for a concurrent burst of 50 bad keys', async () => {
    await start({ failureLimit: 20 });
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => listKeys(`Bearer ${generateOperatorKey().key}`)),
    );
    const statuses = responses.map((r) => r.status);
    const limited = responses.filter((r) => r.status === 429);
    expect(statuses.filter((s) => s === 401).length + limited.length).toBe(50);
    // 2 running + 16 queued at most; everyone else is refused at once, before any argon2 work.
    expect(limited.length).toBeGreaterThanOrEqual(30);
    expect(argon2Runs).toBeLessThanOrEqual(20);
    expect(limited.map((r) => r.headers.get('retry-after')).filter((s) => !(Number(s) >= 1))).toEqual([]);
  });

  it('accepts the dev admin key (WRIT_DEV_ADMIN_KEY) as dev-admin', async () => {
    await start({ devAdminKey: 'dev-only-admin-key-0123456789' });
    const res = await t.app.request('/v1/operator-keys', {
      method: 'POST',
      headers: { authorization: 'Bearer dev-only-admin-key-0123456789', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ci', roles: ['read'] }),
    });
    expect(res.status).toBe(201);
    expect(argon2Runs).toBe(0);
    const created = (await t.auditEvents()).find((e) => e.type === 'operator_key.created');
    expect(created?.operator_key_id).toBe('dev-admin');
    await expectInvalid(await listKeys('Bearer dev-only-admin-key-012345678'));
  });
});
