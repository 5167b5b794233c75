import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { get, json } from './operator-reads-fixtures.js';
import { createTestOperatorKey, startWrit, taskIdOf } from './support/fixtures.js';
import { createTestBroker, type TestBroker } from './support/test-broker.js';

const UNAUTHENTICATED = { error: 'invalid_token', error_description: 'invalid operator credentials' };

describe.each(['redis', 'memory'] as const)('operator reads: authentication and roles (%s)', (store) => {
  let t: TestBroker;
  let paths: string[];
  beforeEach(async () => {
    t = await createTestBroker({ store });
    const writ = await startWrit(t);
    paths = ['/v1/tasks', `/v1/tasks/${taskIdOf(writ)}`, '/v1/audit'];
  });
  afterEach(async () => t.close());

  it('answers 401 with one identical body for a missing, malformed, unknown or disabled key', async () => {
    const reader = (await createTestOperatorKey(t, ['read'])).key;
    const id = reader.slice('writ_'.length, 'writ_'.length + 16);
    const disabled = await t.store.updateOperatorKey(
      id,
      { status: 'disabled', updated_at: t.clock.nowSeconds() },
      {
        type: 'operator_key.disabled',
        time: t.clock.nowMs(),
        request_id: 'test',
        decision: 'info',
        reasons: [],
      },
    );
    expect(disabled).toBe(true);
    const unknown = `writ_${'a'.repeat(16)}_${'A'.repeat(43)}`;
    for (const path of paths) {
      for (const key of [undefined, 'garbage', unknown, reader]) {
        const res = await get(t, path, key);
        expect(await json(res, 401)).toEqual(UNAUTHENTICATED);
        expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
      }
    }
  });

  it('answers 403 insufficient_scope to keys without the read role (introspect, revoke)', async () => {
    for (const roles of [['introspect'], ['revoke'], ['introspect', 'revoke']] as const) {
      const key = (await createTestOperatorKey(t, [...roles])).key;
      for (const path of paths) {
        const body = await json<{ error: string }>(await get(t, path, key), 403);
        expect(body.error).toBe('insufficient_scope');
      }
    }
  });

  it('serves read and admin keys, and never echoes a key or a writ', async () => {
    const writ = await startWrit(t);
    for (const key of [
      (await createTestOperatorKey(t, ['read'])).key,
      (await createTestOperatorKey(t, ['admin'])).key,
    ]) {
      for (const path of paths) {
        const res = await get(t, path, key);
        const text = await res.text();
        expect(res.status).toBe(200);
        expect(text).not.toContain(key.slice(-20));
        expect(text).not.toContain(writ.split('.')[2]);
      }
    }
    const reads = t.logs.map((l) => JSON.parse(l)).filter((l) => l.msg === 'operator.read');
    expect(reads).toHaveLength(6);
    expect(reads[0]).toMatchObject({ path: '/v1/tasks', status: 200, operator_key_id: expect.any(String) });
    expect(reads[0].request_id).toEqual(expect.any(String));
  });

  it('answers 503 temporarily_unavailable when the store cannot answer, never an empty page', async () => {
    const key = (await createTestOperatorKey(t, ['read'])).key;
    await t.store.close();
    for (const path of paths) {
      const res = await get(t, path, key);
      expect(await json(res, 503)).toMatchObject({ error: 'temporarily_unavailable' });
      expect(res.headers.get('retry-after')).toBe('1');
    }
  });

  it('is not reachable with a writ instead of an operator key', async () => {
    const writ = await startWrit(t);
    for (const path of paths) expect(await json(await get(t, path, writ), 401)).toEqual(UNAUTHENTICATED);
  });
});
