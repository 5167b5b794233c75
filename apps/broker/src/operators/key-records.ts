import type { AuditEvent, AuditEventType } from '../audit/audit-event.js';
import type { Clock } from '../shared/clock.js';
import type { OperatorKeyRecord, OperatorRole } from '../store/index.js';
import { hashSecret } from './key-hashing.js';
import { generateOperatorKey } from './operator-key.js';

/** A fresh key and the record that stores only its secret's hash. */
export async function newKeyRecord(
  clock: Clock,
  input: { name: string; roles: OperatorRole[]; expires_at?: number },
): Promise<{ record: OperatorKeyRecord; key: string }> {
  const { id, secret, key } = generateOperatorKey();
  const now = clock.nowSeconds();
  const record: OperatorKeyRecord = {
    id,
    name: input.name,
    roles: [...new Set(input.roles)],
    hash: await hashSecret(secret),
    status: 'active',
    created_at: now,
    updated_at: now,
    ...(input.expires_at === undefined ? {} : { expires_at: input.expires_at }),
  };
  return { record, key };
}

/** Key-management audit event: `operator_key_id` is who acted, `detail.key_id` the key acted on. */
export function keyEvent(
  clock: Clock,
  type: Extract<AuditEventType, `operator_key.${string}`>,
  actor: { keyId: string; requestId: string },
  targetId: string,
  detail: Record<string, string | number> = {},
): AuditEvent {
  return {
    type,
    time: clock.nowMs(),
    request_id: actor.requestId,
    decision: 'info',
    reasons: [],
    operator_key_id: actor.keyId,
    detail: { key_id: targetId, ...detail },
  };
}
