import type { AuditEvent } from '../audit/audit-event.js';
import type { Clock } from '../shared/clock.js';
import { StoreUnavailableError } from './errors.js';
import { createStoreKeys, isValidKeyId } from './keys.js';
import { createMemoryKeyspace, type StoreSnapshot } from './memory-keyspace.js';
import type { WritStore } from './ports.js';
import { decodeAudit, decodeTask, encodeAudit, encodeTask, encodeWrit } from './records.js';
import {
  checkPositiveInteger,
  checkRateLimitArgs,
  clampAuditLimit,
  DEFAULT_AUDIT_MAX_LEN,
  DEFAULT_RETENTION_SECONDS,
  prepareCommit,
  toRateLimitResult,
} from './store-input.js';

export interface MemoryStoreOptions {
  clock: Clock;
  /** Exact bound of the audit log; default 100000. */
  auditMaxLen?: number;
  /** Task and writ records are kept this long after they expire; default 3600. */
  retentionSeconds?: number;
}

export interface MemoryStore extends WritStore {
  /** Every stored key and its content (audit log included), for tests that prove nothing was written. */
  snapshot(): StoreSnapshot;
}

/**
 * The WritStore for dev mode and tests: the Redis store's semantics in one process. Each method
 * validates everything before its first write, which makes it atomic in single-threaded JS.
 */
export function createMemoryStore(options: MemoryStoreOptions): MemoryStore {
  const { clock } = options;
  const keys = createStoreKeys();
  const auditMaxLen = checkPositiveInteger('auditMaxLen', options.auditMaxLen ?? DEFAULT_AUDIT_MAX_LEN);
  const retention = checkPositiveInteger(
    'retentionSeconds',
    options.retentionSeconds ?? DEFAULT_RETENTION_SECONDS,
  );
  const keyspace = createMemoryKeyspace(clock);
  const audit: string[] = [];
  let state: 'new' | 'ready' | 'closed' = 'new';

  const checkOpen = (): void => {
    if (state === 'new') throw new StoreUnavailableError('the store was used before init()');
    if (state === 'closed') throw new StoreUnavailableError('the store is closed');
  };
  const liveUntil = (taskKey: string): number | undefined => {
    const fields = keyspace.hashFields(taskKey);
    const expiresAt = Number(fields?.expires_at);
    return fields?.status === 'live' && expiresAt > clock.nowSeconds() ? expiresAt : undefined;
  };
  const appendEvent = (event: AuditEvent): void => {
    audit.push(encodeAudit(event));
    if (audit.length > auditMaxLen) audit.splice(0, audit.length - auditMaxLen);
  };

  return {
    async init() {
      if (state === 'closed') throw new StoreUnavailableError('the store is closed');
      state = 'ready';
    },

    async checkReady() {
      checkOpen();
    },

    async commitIssuance(input) {
      const commitKeys = prepareCommit(keys, input);
      checkOpen();
      if (!commitKeys.requireLive.every((key) => liveUntil(key) !== undefined)) {
        return { ok: false, reason: 'task_not_live' };
      }
      let taskExpiresAt: number;
      if (input.createTask) {
        if (keyspace.exists(commitKeys.task)) return { ok: false, reason: 'task_exists' };
        taskExpiresAt = input.task.expires_at;
      } else {
        const liveExpiresAt = liveUntil(commitKeys.task);
        if (liveExpiresAt === undefined) return { ok: false, reason: 'task_not_live' };
        taskExpiresAt = liveExpiresAt;
      }
      if (input.createTask) {
        keyspace.setHash(commitKeys.task, encodeTask(input.task));
        keyspace.expireAt(commitKeys.task, taskExpiresAt + retention);
      }
      keyspace.addToSet(commitKeys.taskWrits, input.writ.jti);
      keyspace.expireAt(commitKeys.taskWrits, taskExpiresAt + retention);
      keyspace.setHash(commitKeys.writ, encodeWrit(input.writ));
      keyspace.expireAt(commitKeys.writ, input.writ.expires_at + retention);
      appendEvent(input.audit);
      return { ok: true };
    },

    async appendAudit(event) {
      checkOpen();
      appendEvent(event);
    },

    async getTask(id) {
      if (!isValidKeyId(id)) return null;
      checkOpen();
      const fields = keyspace.hashFields(keys.task(id));
      return fields === undefined ? null : decodeTask(fields);
    },

    async areTasksLive(ids) {
      if (!ids.every(isValidKeyId)) return false;
      checkOpen();
      return ids.every((id) => liveUntil(keys.task(id)) !== undefined);
    },

    async quarantineTask(id, event) {
      if (!isValidKeyId(id)) return false;
      checkOpen();
      const taskKey = keys.task(id);
      if (liveUntil(taskKey) === undefined) return false;
      keyspace.setHash(taskKey, ['status', 'quarantined']);
      appendEvent(event);
      return true;
    },

    async takeRateLimit(key, limit, windowSeconds) {
      checkRateLimitArgs(limit, windowSeconds);
      const counterKey = keys.rateLimit(key);
      checkOpen();
      const { count, ttlMs } = keyspace.increment(counterKey, windowSeconds * 1000);
      return toRateLimitResult(count, limit, ttlMs);
    },

    async readAudit(limit) {
      checkOpen();
      const count = clampAuditLimit(limit, auditMaxLen);
      if (count === 0) return [];
      return audit.slice(-count).reverse().map(decodeAudit);
    },

    async close() {
      state = 'closed';
    },

    snapshot() {
      const result = keyspace.snapshot();
      if (audit.length > 0) result[keys.audit] = [...audit];
      return result;
    },
  };
}
