import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { get, json } from './operator-reads-fixtures.js';
import { createTestOperatorKey, startWrit, taskIdOf } from './support/fixtures.js';
import { createTestBroker, type TestBroker } from './support/test-broker.js';

describe.each(['redis', 'memory'] as const)('operator reads: authentication and roles (%s)', (store) => {
  let t: TestBroker;
  let paths: string[];
  beforeEach(async () => {
    t = await createTestBroker({ store });
    const writ = await startWrit(t);
    paths = ['/v1/tasks', `/v1/tasks/${taskIdOf(writ)}`, '/v1/audit'];
  });
  afterEach(async () => t.close());

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
});
