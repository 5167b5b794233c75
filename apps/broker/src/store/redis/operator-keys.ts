import type { AuditEvent } from '../../audit/audit-event.js';
import type { OperatorKeyRecord, WritStore } from '../port/index.js';
import { StoreUnavailableError } from '../shared/errors.js';
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
import { encodeAudit } from '../shared/records.js';
import { isStringRecord, type RedisContext } from './context.js';

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

/** Operator keys in Redis: writes in Lua with their audit event, reads checked against the marker. */
export function createRedisOperatorKeys(ctx: RedisContext): OperatorKeyMethods {
  const { keys, scripts, guard, readWithMarker, expectedEpoch, replyError } = ctx;

  const create = async (
    record: OperatorKeyRecord,
    audit: AuditEvent,
    bootstrap: boolean,
  ): Promise<boolean> => {
    checkOperatorKey(record);
    const reply = await guard('create an operator key', () =>
      scripts.createOperatorKey({
        keys: {
          dataset: keys.dataset,
          audit: keys.audit,
          operatorKey: keys.operatorKey(record.id),
          operatorKeyIds: keys.operatorKeys,
          bootstrapMarker: keys.operatorKeysBootstrapped,
        },
        args: {
          epoch: expectedEpoch(),
          auditMaxLen: ctx.auditMaxLen,
          event: encodeAudit(audit),
          bootstrap: bootstrap ? '1' : '0',
          keyId: record.id,
          recordFields: encodeOperatorKey(record),
        },
      }),
    );
    if (reply === 'ok') return true;
    if (reply === 'exists') return false;
    throw replyError(reply);
  };

  const decodeAll = (replies: unknown[]): OperatorKeyRecord[] =>
    replies.flatMap((fields) => {
      if (!isStringRecord(fields)) throw new StoreUnavailableError('Redis returned an unexpected key reply');
      return Object.keys(fields).length === 0 ? [] : [decodeOperatorKey(fields)];
    });

  return {
    createOperatorKey: (record, audit) => create(record, audit, false),

    bootstrapOperatorKey: (record, audit) => create(record, audit, true),

    async getOperatorKey(id) {
      if (!isValidKeyId(id)) return null;
      const replies = await guard('read an operator key', () =>
        readWithMarker((p) => p.hgetall(keys.operatorKey(id))),
      );
      return decodeAll(replies)[0] ?? null;
    },

    async listOperatorKeys() {
      const [ids] = await guard('list operator keys', () =>
        readWithMarker((p) => p.smembers(keys.operatorKeys)),
      );
      if (!Array.isArray(ids)) throw new StoreUnavailableError('Redis returned an unexpected set reply');
      const valid = ids.map(String).filter(isValidKeyId);
      if (valid.length === 0) return [];
      const replies = await guard('list operator keys', () =>
        readWithMarker((p) => {
          for (const id of valid) p.hgetall(keys.operatorKey(id));
        }),
      );
      return decodeAll(replies).sort(byCreation);
    },

    async updateOperatorKey(id, patch, audit) {
      checkOperatorKeyPatch(patch);
      if (!isValidKeyId(id)) return false;
      const reply = await guard('update an operator key', () =>
        scripts.updateOperatorKey({
          keys: { dataset: keys.dataset, audit: keys.audit, operatorKey: keys.operatorKey(id) },
          args: {
            epoch: expectedEpoch(),
            auditMaxLen: ctx.auditMaxLen,
            event: encodeAudit(audit),
            patchFields: encodeOperatorKeyPatch(patch),
          },
        }),
      );
      if (reply === 'ok') return true;
      if (reply === 'missing') return false;
      throw replyError(reply);
    },

    async rotateOperatorKey(id, rotation, audit) {
      checkOperatorKeyRotation(rotation);
      if (!isValidKeyId(id)) return 'missing';
      const reply = await guard('rotate an operator key', () =>
        scripts.rotateOperatorKey({
          keys: { dataset: keys.dataset, audit: keys.audit, operatorKey: keys.operatorKey(id) },
          args: {
            epoch: expectedEpoch(),
            auditMaxLen: ctx.auditMaxLen,
            event: encodeAudit(audit),
            hash: rotation.hash,
            updatedAt: rotation.updated_at,
            previousUntil: rotation.previousUntil === undefined ? '' : rotation.previousUntil,
          },
        }),
      );
      if (reply === 'rotated' || reply === 'missing' || reply === 'disabled') return reply;
      throw replyError(reply);
    },

    async deleteOperatorKey(id, audit) {
      if (!isValidKeyId(id)) return false;
      const reply = await guard('delete an operator key', () =>
        scripts.deleteOperatorKey({
          keys: {
            dataset: keys.dataset,
            audit: keys.audit,
            operatorKey: keys.operatorKey(id),
            operatorKeyIds: keys.operatorKeys,
          },
          args: {
            epoch: expectedEpoch(),
            auditMaxLen: ctx.auditMaxLen,
            event: encodeAudit(audit),
            keyId: id,
          },
        }),
      );
      if (reply === 'ok') return true;
      if (reply === 'missing') return false;
      throw replyError(reply);
    },

    async touchOperatorKey(id, usedAt) {
      checkOperatorKeyUse(usedAt);
      if (!isValidKeyId(id)) return;
      const reply = await guard('record an operator key use', () =>
        scripts.touchOperatorKey({
          keys: { dataset: keys.dataset, operatorKey: keys.operatorKey(id) },
          args: { epoch: expectedEpoch(), usedAt },
        }),
      );
      if (reply !== 'ok' && reply !== 'missing') throw replyError(reply);
    },
  };
}
