import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { postRevocation } from '../revocation-helpers.js';
import {
  createTestOperatorKey,
  jtiOf,
  ORCHESTRATOR,
  OTHER,
  startWrit,
  taskIdOf,
} from '../support/fixtures.js';
import { runOperatorRouteSecurityTests } from '../support/operator-route-security.js';
import { createTestBroker, type TestBroker } from '../support/test-broker.js';

describe.each(['memory', 'redis'] as const)('GET /v1/revocations (%s)', (store) => {
  let t: TestBroker;
  beforeEach(async () => {
    t = await createTestBroker({ store });
  });
  afterEach(async () => t.close());

  const get = (key: string | undefined) =>
    Promise.resolve(
      t.app.request('/v1/revocations', key ? { headers: { authorization: `Bearer ${key}` } } : {}),
    );

  it('lists every revocation still relevant, consistent with the feed', async () => {
    const { key } = await createTestOperatorKey(t, ['revoke']);
    const empty = await get(key);
    expect(empty.status).toBe(200);
    expect(await empty.json()).toEqual({
      last_id: '0-0',
      generation: 1,
      all_below: 0,
      principals: {},
      issuers: {},
      tasks: [],
      writs: [],
      next_cursor: null,
    });

    const task = await startWrit(t);
    const writ = await startWrit(t, { sub: OTHER });
    const ids: string[] = [];
    for (const body of [
      { task: taskIdOf(task) },
      { jti: jtiOf(writ) },
      { principal: ORCHESTRATOR },
      { issuer: 'spiffe:test.example' },
      { all: true },
    ]) {
      const res = await postRevocation(t.app, key, body);
      ids.push(((await res.json()) as { feed_id: string }).feed_id);
    }
    const res = await get(key);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const snapshot = (await res.json()) as Record<string, unknown>;
    const exp = (w: string) => JSON.parse(Buffer.from(w.split('.')[1] as string, 'base64url').toString()).exp;
    expect(snapshot).toEqual({
      last_id: ids.at(-1),
      generation: 4,
      all_below: 4,
      principals: { [ORCHESTRATOR]: 2 },
      issuers: { 'spiffe:test.example': 3 },
      tasks: [{ task_id: taskIdOf(task), status: 'revoked', until: expect.any(Number) }],
      writs: [{ jti: jtiOf(writ), until: expect.any(Number) }],
      next_cursor: null,
    });
    const { tasks, writs } = snapshot as { tasks: Array<{ until: number }>; writs: Array<{ until: number }> };
    // Entries outlive what they cover (docs/architecture.md §7).
    expect(tasks[0]?.until).toBeGreaterThanOrEqual(exp(task));
    expect(writs[0]?.until).toBeGreaterThanOrEqual(exp(writ));
  });

  it('answers read, introspect, revoke and admin keys; 401 without a key', async () => {
    for (const role of ['feed', 'read', 'introspect', 'revoke', 'admin'] as const) {
      expect((await get((await createTestOperatorKey(t, [role])).key)).status).toBe(200);
    }
    const res = await get(undefined);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_token' });
  });
});

runOperatorRouteSecurityTests({
  method: 'GET',
  route: '/v1/revocations',
  allowedRoles: ['feed', 'read', 'introspect', 'revoke', 'admin'],
  refusedRoles: [],
});
