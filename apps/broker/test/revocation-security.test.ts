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
  },
);
