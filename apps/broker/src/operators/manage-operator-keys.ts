import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../shared/clock.js';
import type { OperatorKeyRecord, OperatorKeyStore, OperatorRole } from '../store/index.js';
import { hashSecret } from './key-hashing.js';
import { keyEvent, newKeyRecord } from './key-records.js';
import { generateOperatorKey } from './operator-key.js';

export interface OperatorKeyDeps {
  store: OperatorKeyStore;
  clock: Clock;
  audit: AuditLog;
}

/** Who asked: the acting operator key and the request, for the audit trail. */
export interface OperatorActor {
  keyId: string;
  requestId: string;
}

export interface CreateOperatorKeyInput {
  name: string;
  roles: OperatorRole[];
}

export interface CreateOperatorKeyResult {
  /** The full key: shown once, never stored. */
  key: string;
  record: OperatorKeyRecord;
}

/** A key as operators may see it: everything but the hash. */
export type OperatorKeySummary = Omit<OperatorKeyRecord, 'hash'>;

/** An 80-bit random id colliding is not expected; a few tries make it a non-event. */
const CREATE_ATTEMPTS = 3;

export class OperatorKeyIdCollisionError extends Error {
  override name = 'OperatorKeyIdCollisionError';
}

export async function createOperatorKey(
  deps: OperatorKeyDeps,
  input: CreateOperatorKeyInput,
  actor: OperatorActor,
): Promise<CreateOperatorKeyResult> {
  for (let attempt = 0; attempt < CREATE_ATTEMPTS; attempt++) {
    const { record, key } = await newKeyRecord(deps.clock, input);
    const event = keyEvent(deps.clock, 'operator_key.created', actor, record.id, {
      name: record.name,
      roles: record.roles.join(' '),
    });
    if (await deps.store.createOperatorKey(record, event)) {
      deps.audit.log(event);
      return { key, record };
    }
  }
  throw new OperatorKeyIdCollisionError('could not allocate an unused operator key id');
}

/** A new secret and hash under the same id and roles; the old key stops working at once. Null if unknown. */
export async function rotateOperatorKey(
  deps: OperatorKeyDeps,
  id: string,
  actor: OperatorActor,
): Promise<{ id: string; key: string } | null> {
  const fresh = generateOperatorKey(id);
  const hash = await hashSecret(fresh.secret);
  const event = keyEvent(deps.clock, 'operator_key.rotated', actor, id);
  const updated = await deps.store.updateOperatorKey(
    id,
    { hash, updated_at: deps.clock.nowSeconds() },
    event,
  );
  if (!updated) return null;
  deps.audit.log(event);
  return { id, key: fresh.key };
}

/** False if the key does not exist. Disabling a disabled key is a no-op success. */
export async function disableOperatorKey(
  deps: OperatorKeyDeps,
  id: string,
  actor: OperatorActor,
): Promise<boolean> {
  const event = keyEvent(deps.clock, 'operator_key.disabled', actor, id);
  const updated = await deps.store.updateOperatorKey(
    id,
    { status: 'disabled', updated_at: deps.clock.nowSeconds() },
    event,
  );
  if (updated) deps.audit.log(event);
  return updated;
}

export async function listOperatorKeys(deps: Pick<OperatorKeyDeps, 'store'>): Promise<OperatorKeySummary[]> {
  const records = await deps.store.listOperatorKeys();
  return records.map(({ hash: _hash, ...summary }) => summary);
}
