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
  /** Epoch seconds after which the key is refused. */
  expires_at?: number;
}

export interface CreateOperatorKeyResult {
  /** The full key: shown once, never stored. */
  key: string;
  record: OperatorKeyRecord;
}

/** A key as operators may see it: no hash; the end of a rotation overlap while it runs. */
export type OperatorKeySummary = Omit<OperatorKeyRecord, 'hash' | 'previous_hash' | 'previous_hash_until'> & {
  previous_key_valid_until?: number;
};

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
      ...(record.expires_at === undefined ? {} : { expires_at: record.expires_at }),
    });
    if (await deps.store.createOperatorKey(record, event)) {
      deps.audit.log(event);
      return { key, record };
    }
  }
  throw new OperatorKeyIdCollisionError('could not allocate an unused operator key id');
}

export type RotateResult =
  | { status: 'rotated'; id: string; key: string; previous_key_valid_until?: number }
  | { status: 'missing' | 'disabled' };

/**
 * A new secret and hash under the same id and roles. The old secret keeps working for
 * `overlapSeconds` (0: it stops at once), so a follower holding it is not cut off mid-rotation.
 * A disabled key is not rotated: that would hand out a working-looking secret for a dead key.
 */
export async function rotateOperatorKey(
  deps: OperatorKeyDeps,
  id: string,
  actor: OperatorActor,
  overlapSeconds = 0,
): Promise<RotateResult> {
  const fresh = generateOperatorKey(id);
  const hash = await hashSecret(fresh.secret);
  const now = deps.clock.nowSeconds();
  const previousUntil = overlapSeconds > 0 ? now + overlapSeconds : undefined;
  const event = keyEvent(deps.clock, 'operator_key.rotated', actor, id, { overlap_seconds: overlapSeconds });
  const result = await deps.store.rotateOperatorKey(
    id,
    { hash, updated_at: now, ...(previousUntil === undefined ? {} : { previousUntil }) },
    event,
  );
  if (result !== 'rotated') return { status: result };
  deps.audit.log(event);
  return {
    status: 'rotated',
    id,
    key: fresh.key,
    ...(previousUntil === undefined ? {} : { previous_key_valid_until: previousUntil }),
  };
}

/** False if the key does not exist. The key stops working at once; the bootstrap marker stays. */
export async function deleteOperatorKey(
  deps: OperatorKeyDeps,
  id: string,
  actor: OperatorActor,
): Promise<boolean> {
  const event = keyEvent(deps.clock, 'operator_key.deleted', actor, id);
  const deleted = await deps.store.deleteOperatorKey(id, event);
  if (deleted) deps.audit.log(event);
  return deleted;
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

export async function listOperatorKeys(
  deps: Pick<OperatorKeyDeps, 'store' | 'clock'>,
): Promise<OperatorKeySummary[]> {
  const records = await deps.store.listOperatorKeys();
  const now = deps.clock.nowSeconds();
  return records.map(({ hash: _hash, previous_hash: _previous, previous_hash_until: until, ...summary }) =>
    until !== undefined && until > now ? { ...summary, previous_key_valid_until: until } : summary,
  );
}
