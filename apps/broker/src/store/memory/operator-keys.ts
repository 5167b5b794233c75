import type { AuditEvent } from '../../audit/audit-event.js';
import type { OperatorKeyRecord, WritStore } from '../port/index.js';
import { isValidKeyId } from '../shared/keys.js';
import { byCreation, checkOperatorKey, checkOperatorKeyPatch } from '../shared/operator-key-input.js';
import {
  decodeOperatorKey,
  encodeOperatorKey,
  encodeOperatorKeyPatch,
} from '../shared/operator-key-records.js';
import type { MemoryContext } from './context.js';

type OperatorKeyMethods = Pick<
  WritStore,
  'createOperatorKey' | 'bootstrapOperatorKey' | 'getOperatorKey' | 'listOperatorKeys' | 'updateOperatorKey'
>;

/** Operator keys in memory, mirroring redis/lua/create-operator-key.lua and update-operator-key.lua. */
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
  };
}
