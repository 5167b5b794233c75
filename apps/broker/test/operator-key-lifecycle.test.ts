import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestOperatorKey } from './support/fixtures.js';
import { createTestBroker, type TestBroker } from './support/test-broker.js';

const INVALID_BODY = '{"error":"invalid_token","error_description":"invalid operator credentials"}';

/** The `curl` lines of docs/operators.md's key-management script: method, path, body. */
function docExamples(): Array<{ method: string; path: string; body?: string }> {
  const doc = readFileSync(new URL('../../../docs/operators.md', import.meta.url), 'utf8');
  const script = /A rotation and clean-up, as a script[\s\S]*?```sh\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
  return [...script.matchAll(/^curl -s -X (\w+) "\$WRIT(\S+)"[^\n]*?(?: -d '([^']*)')?$/gm)].map(
    ([, method = '', path = '', body]) => ({ method, path, ...(body === undefined ? {} : { body }) }),
  );
}

describe.each(['redis', 'memory'] as const)('operator key lifecycle (%s)', (store) => {
  let t: TestBroker;
  afterEach(async () => t?.close());

  const call = (method: string, path: string, key: string, body?: unknown) =>
    t.app.request(path, {
      method,
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  const list = (key: string) => call('GET', '/v1/operator-keys', key);
  const eventsOf = async (type: string) => (await t.auditEvents()).filter((e) => e.type === type);

  it('refuses a key after its expires_at; expiry must be in the future', async () => {
    t = await createTestBroker({ store });
    const admin = await createTestOperatorKey(t, ['admin']);
    const now = t.clock.nowSeconds();
    expect(
      (await call('POST', '/v1/operator-keys', admin.key, { name: 'x', roles: ['read'], expires_at: now }))
        .status,
    ).toBe(400);
    const res = await call('POST', '/v1/operator-keys', admin.key, {
      name: 'x',
      roles: ['read'],
      expires_at: now + 60,
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; key: string; expires_at: number };
    expect(created.expires_at).toBe(now + 60);
    expect((await list(created.key)).status).toBe(403);
    t.clock.advance(60_000);
    const expired = await list(created.key);
    expect(expired.status).toBe(401);
    expect(await expired.text()).toBe(INVALID_BODY);
    const [failed] = (await eventsOf('operator.auth_failed')).slice(-1);
    expect(failed).toMatchObject({ reasons: ['key_expired'], operator_key_id: created.id });
  });

  it('deletes a key: refused at once (even cached), gone from the list, audited; unknown → 404', async () => {
    t = await createTestBroker({ store });
    const admin = await createTestOperatorKey(t, ['admin']);
    const doomed = await createTestOperatorKey(t, ['admin']);
    expect((await list(doomed.key)).status).toBe(200);
    const res = await call('DELETE', `/v1/operator-keys/${doomed.id}`, admin.key);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: doomed.id, deleted: true });
    expect(await (await list(doomed.key)).text()).toBe(INVALID_BODY);
    const keys = ((await (await list(admin.key)).json()) as { keys: Array<{ id: string }> }).keys;
    expect(keys.map((k) => k.id)).toEqual([admin.id]);
    expect(await eventsOf('operator_key.deleted')).toEqual([
      expect.objectContaining({ operator_key_id: admin.id, detail: { key_id: doomed.id } }),
    ]);
    const before = await t.snapshot();
    expect((await call('DELETE', `/v1/operator-keys/${doomed.id}`, admin.key)).status).toBe(404);
    expect((await call('DELETE', '/v1/operator-keys/NOT-AN-ID', admin.key)).status).toBe(404);
    expect(await t.snapshot()).toEqual(before);
  });

  it('rotation with an overlap: old and new secrets both work until the overlap ends', async () => {
    t = await createTestBroker({ store });
    const admin = await createTestOperatorKey(t, ['admin']);
    const follower = await createTestOperatorKey(t, ['read']);
    expect((await list(follower.key)).status).toBe(403);
    const res = await call('POST', `/v1/operator-keys/${follower.id}/rotate`, admin.key, {
      overlap_seconds: 300,
    });
    expect(res.status).toBe(200);
    const rotated = (await res.json()) as { id: string; key: string; previous_key_valid_until: number };
    expect(rotated.previous_key_valid_until).toBe(t.clock.nowSeconds() + 300);
    // 403 = authenticated (the role is not enough for this route): both secrets are accepted.
    expect((await list(follower.key)).status).toBe(403);
    expect((await list(rotated.key)).status).toBe(403);
    t.clock.advance(299_000);
    expect((await list(follower.key)).status).toBe(403);
    t.clock.advance(1_000);
    expect((await list(follower.key)).status).toBe(401);
    expect((await list(rotated.key)).status).toBe(403);
    expect(await eventsOf('operator_key.rotated')).toEqual([
      expect.objectContaining({ detail: { key_id: follower.id, overlap_seconds: 300 } }),
    ]);
    // Without an overlap the old secret stops at once.
    const again = (await (
      await call('POST', `/v1/operator-keys/${follower.id}/rotate`, admin.key)
    ).json()) as {
      key: string;
    };
    expect((await list(rotated.key)).status).toBe(401);
    expect((await list(again.key)).status).toBe(403);
    expect(
      (await call('POST', `/v1/operator-keys/${follower.id}/rotate`, admin.key, { overlap_seconds: 86_401 }))
        .status,
    ).toBe(400);
  });

  it('refuses to rotate a disabled key with 409, writing nothing', async () => {
    t = await createTestBroker({ store });
    const admin = await createTestOperatorKey(t, ['admin']);
    const other = await createTestOperatorKey(t, ['read']);
    expect((await call('POST', `/v1/operator-keys/${other.id}/disable`, admin.key)).status).toBe(200);
    const before = await t.snapshot();
    const res = await call('POST', `/v1/operator-keys/${other.id}/rotate`, admin.key);
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({
      error: 'invalid_request',
      error_description: 'the key is disabled: create a new key instead',
    });
    expect(await t.snapshot()).toEqual(before);
  });

  it('records last_used_at at most once a minute per key', async () => {
    t = await createTestBroker({ store });
    const admin = await createTestOperatorKey(t, ['admin']);
    const started = t.clock.nowSeconds();
    const usedAt = async () => (await t.store.getOperatorKey(admin.id))?.last_used_at;
    expect(await usedAt()).toBeUndefined();
    expect((await list(admin.key)).status).toBe(200);
    await expect.poll(usedAt).toBe(started);
    t.clock.advance(30_000);
    expect((await list(admin.key)).status).toBe(200);
    t.clock.advance(29_000);
    expect((await list(admin.key)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await usedAt()).toBe(started);
    t.clock.advance(1_000);
    expect((await list(admin.key)).status).toBe(200);
    await expect.poll(usedAt).toBe(started + 60);
    const listed = ((await (await list(admin.key)).json()) as { keys: Array<{ last_used_at?: number }> })
      .keys;
    expect(listed[0]?.last_used_at).toBe(started + 60);
  });

  it('runs the examples of docs/operators.md', async () => {
    t = await createTestBroker({ store });
    const admin = await createTestOperatorKey(t, ['admin']);
    const examples = docExamples();
    expect(examples.map((e) => e.method)).toEqual(['POST', 'POST', 'GET', 'DELETE']);
    let id = '';
    for (const example of examples) {
      const res = await call(example.method, example.path.replace('$ID', id), admin.key, example.body);
      expect([200, 201]).toContain(res.status);
      const body = (await res.json()) as { id?: string };
      if (body.id && !id) id = body.id;
    }
    expect(id).not.toBe('');
    expect(await t.store.getOperatorKey(id)).toBeNull();
  });
});
