import type { AuditEvent } from '../../audit/audit-event.js';
import type { OperatorKeyRecord, WritStore } from '../port/index.js';
import { isValidKeyId } from '../shared/keys.js';
import {
  byCreation,
  checkOperatorKey,
  checkOperatorKeyPatch,
  checkOperatorKeyRotation,
  checkOperatorKeyUse,
} from '../shared/operator-key-input.js';
import {
  decodeOperatorKey,
  encodeOperatorKey,
  encodeOperatorKeyPatch,
} from '../shared/operator-key-records.js';
import type { MemoryContext } from './context.js';

type OperatorKeyMethods = Pick<
  WritStore,
  | 'createOperatorKey'
  | 'bootstrapOperatorKey'
  | 'getOperatorKey'
  | 'listOperatorKeys'
  | 'updateOperatorKey'
  | 'rotateOperatorKey'
  | 'deleteOperatorKey'
  | 'touchOperatorKey'
>;

/**
 * Operator keys in memory, mirroring redis/lua/create-, update-, rotate-, delete- and
 * touch-operator-key.lua step by step.
 */
export function createMemoryOperatorKeys(ctx: MemoryContext): OperatorKeyMethods {
  const { keys, keyspace } = ctx;

  const create = (record: OperatorKeyRecord, audit: AuditEvent, bootstrap: boolean): boolean => {
    checkOperatorKey(record);
    ctx.checkOpen();
    if (bootstrap && keyspace.exists(keys.operatorKeysBootstrapped)) return false;
    const key = keys.operatorKey(record.id);
    if (keyspace.exists(key)) return false;
    if (bootstrap) keyspace.setString(keys.operatorKeysBootstrapped, record.id);
    keyspace.setHash(key, encodeOperatorKey(record));
    keyspace.addToSet(keys.operatorKeys, record.id);
    ctx.appendEvent(audit);
    return true;
  };

  return {
    async createOperatorKey(record, audit) {
      return create(record, audit, false);
    },

    async bootstrapOperatorKey(record, audit) {
      return create(record, audit, true);
    },

    async getOperatorKey(id) {
      if (!isValidKeyId(id)) return null;
      ctx.checkOpen();
      const fields = keyspace.hashFields(keys.operatorKey(id));
      return fields === undefined ? null : decodeOperatorKey(fields);
    },

    async listOperatorKeys() {
      ctx.checkOpen();
      return keyspace
        .setMembers(keys.operatorKeys)
        .flatMap((id) => {
          const fields = keyspace.hashFields(keys.operatorKey(id));
          return fields === undefined ? [] : [decodeOperatorKey(fields)];
        })
        .sort(byCreation);
    },

    async updateOperatorKey(id, patch, audit) {
      checkOperatorKeyPatch(patch);
      if (!isValidKeyId(id)) return false;
      ctx.checkOpen();
      const key = keys.operatorKey(id);
      if (!keyspace.exists(key)) return false;
      keyspace.setHash(key, encodeOperatorKeyPatch(patch));
      ctx.appendEvent(audit);
      return true;
    },

    async rotateOperatorKey(id, rotation, audit) {
      checkOperatorKeyRotation(rotation);
      if (!isValidKeyId(id)) return 'missing';
      ctx.checkOpen();
      const key = keys.operatorKey(id);
      const fields = keyspace.hashFields(key);
      if (fields === undefined) return 'missing';
      if (fields.status !== 'active') return 'disabled';
      if (rotation.previousUntil === undefined) {
        keyspace.removeHashField(key, 'previous_hash');
        keyspace.removeHashField(key, 'previous_hash_until');
      } else {
        keyspace.setHash(key, [
          'previous_hash',
          fields.hash ?? '',
          'previous_hash_until',
          String(rotation.previousUntil),
        ]);
      }
      keyspace.setHash(key, ['hash', rotation.hash, 'updated_at', String(rotation.updated_at)]);
      ctx.appendEvent(audit);
      return 'rotated';
    },

    async deleteOperatorKey(id, audit) {
      if (!isValidKeyId(id)) return false;
      ctx.checkOpen();
      const key = keys.operatorKey(id);
      if (!keyspace.exists(key)) return false;
      keyspace.deleteKey(key);
      keyspace.removeFromSet(keys.operatorKeys, id);
      ctx.appendEvent(audit);
      return true;
    },

    async touchOperatorKey(id, usedAt) {
      checkOperatorKeyUse(usedAt);
      if (!isValidKeyId(id)) return;
      ctx.checkOpen();
      const key = keys.operatorKey(id);
      const fields = keyspace.hashFields(key);
      if (fields === undefined) return;
      if (usedAt > Number(fields.last_used_at ?? '0'))
        keyspace.setHash(key, ['last_used_at', String(usedAt)]);
    },
  };
}
