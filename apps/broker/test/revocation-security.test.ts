import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorOf, postRevocation } from './revocation-helpers.js';
import { createTestOperatorKey, startWrit, taskIdOf } from './support/fixtures.js';
import { createTestBroker, type TestBroker } from './support/test-broker.js';

describe.each(['memory', 'redis'] as const)(
  'POST /v1/revocations — operator authentication (%s)',
  (store) => {
    let t: TestBroker;
    beforeEach(async () => {
      t = await createTestBroker({ store });
    });
    afterEach(async () => t.close());

    it('answers 401 with one identical body for a missing, malformed or unknown key, writing no revocation', async () => {
      const taskId = taskIdOf(await startWrit(t));
      const bodies: unknown[] = [];
      for (const key of [
        undefined,
        'nonsense',
        'writ_aaaaaaaaaaaaaaaa_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      ]) {
        const res = await postRevocation(t.app, key, { task: taskId });
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
        bodies.push(await res.json());
      }
      expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
      expect(bodies[0]).toMatchObject({ error: 'invalid_token' });
      expect((await t.store.readRevocations('0-0', 10)).entries).toEqual([]);
      expect(await t.store.getTask(taskId)).toMatchObject({ status: 'live' });
    });

    it('answers 403 insufficient_scope to read and introspect keys; admin may revoke', async () => {
      const taskId = taskIdOf(await startWrit(t));
      for (const role of ['read', 'introspect'] as const) {
        const res = await postRevocation(t.app, (await createTestOperatorKey(t, [role])).key, {
          task: taskId,
        });
        expect(await errorOf(res)).toMatchObject({ status: 403, error: 'insufficient_scope' });
      }
      expect(await t.store.getTask(taskId)).toMatchObject({ status: 'live' });
      const admin = await createTestOperatorKey(t, ['admin']);
      const res = await postRevocation(t.app, admin.key, { task: taskId });
      expect(res.status).toBe(200);
      expect((await t.auditEvents()).find((e) => e.type === 'task.revoked')).toMatchObject({
        operator_key_id: admin.id,
      });
    });

    it('does not let a writ stand in for an operator key', async () => {
      const writ = await startWrit(t);
      const res = await postRevocation(t.app, writ, { all: true });
      expect(res.status).toBe(401);
      expect((await t.store.revocationSnapshot()).all_below).toBe(0);
    });
  },
);
