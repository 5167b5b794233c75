import { expect } from 'vitest';
import { createAuditLog } from '../../src/audit/audit-log.js';
import { createOperatorKey } from '../../src/operators/manage-operator-keys.js';
import type { createFixedClock } from '../../src/shared/clock.js';
import { silentLogger } from '../../src/shared/logger.js';
import type { OperatorRole, WritStore } from '../../src/store/ports.js';

type Broker = { store: WritStore; clock: ReturnType<typeof createFixedClock> };

/** A real operator key with `roles`, created through the key domain (argon2 hash in the store). */
export async function createTestOperatorKey(
  t: Broker,
  roles: OperatorRole[],
): Promise<{ key: string; id: string }> {
  const { key, record } = await createOperatorKey(
    { store: t.store, clock: t.clock, audit: createAuditLog({ store: t.store, logger: silentLogger }) },
    { name: `test-${roles.join('-')}`, roles },
    { keyId: 'test-setup', requestId: 'test-setup' },
  );
  return { key, id: record.id };
}

/** Ends a task as an operator would (store.revoke), asserting that it changed something. */
export async function revokeTask(t: Broker, taskId: string): Promise<void> {
  const result = await t.store.revoke({
    target: { kind: 'task', task_id: taskId },
    reason: 'test',
    audit: {
      type: 'task.revoked',
      time: t.clock.nowMs(),
      request_id: 'test',
      decision: 'info',
      reasons: ['test'],
      task_id: taskId,
      operator_key_id: 'test-setup',
    },
  });
  expect(result).toMatchObject({ changed: true });
}
