import type { Clock } from '../../shared/clock.js';
import type { WritStore } from '../port/index.js';
import { StoreUnavailableError } from '../shared/errors.js';
import { createStoreKeys, isValidKeyId } from '../shared/keys.js';
import { isWritItselfLive, toCount } from '../shared/liveness.js';
import {
  appendTaskWrit,
  decodeAudit,
  decodeTask,
  encodeAudit,
  encodeTask,
  encodeWrit,
} from '../shared/records.js';
import { DEFAULT_FEED_MAX_LEN } from '../shared/revocation-records.js';
import {
  checkPositiveInteger,
  checkRateLimitArgs,
  clampAuditLimit,
  DEFAULT_AUDIT_MAX_LEN,
  DEFAULT_RETENTION_SECONDS,
  INDEX_PRUNE_BATCH,
  MAX_TASK_LIFETIME_SECONDS,
  prepareCommit,
  toRateLimitResult,
} from '../shared/store-input.js';
import type { MemoryContext } from './context.js';
import { createMemoryKeyspace, type StoreSnapshot } from './keyspace.js';
import { readLivenessFacts } from './liveness.js';
import { createMemoryOperatorKeys } from './operator-keys.js';
import { createMemoryReads } from './reads.js';
import { createMemoryRevocations } from './revocations.js';
import { createMemoryRuntime } from './runtime.js';
import { createMemoryStream } from './stream.js';

export interface MemoryStoreOptions {
  clock: Clock;
  /** Exact bound of the audit log; default 100000. */
  auditMaxLen?: number;
  /** Exact bound of the revocation feed; default 100000. */
  feedMaxLen?: number;
  /** Task and writ records are kept this long after they expire; default 3600. */
  retentionSeconds?: number;
}

export interface MemoryStore extends WritStore {
  /** Every stored key and its content (streams included), for tests that prove nothing was written. */
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
  const feedMaxLen = checkPositiveInteger('feedMaxLen', options.feedMaxLen ?? DEFAULT_FEED_MAX_LEN);
  const retention = checkPositiveInteger(
    'retentionSeconds',
    options.retentionSeconds ?? DEFAULT_RETENTION_SECONDS,
  );
  const keyspace = createMemoryKeyspace(clock);
  let state: 'new' | 'ready' | 'closed' = 'new';

  const ctx: MemoryContext = {
    clock,
    keys,
    keyspace,
    audit: createMemoryStream(clock, auditMaxLen),
    feed: createMemoryStream(clock, feedMaxLen),
    retention,
    checkOpen() {
      if (state === 'new') throw new StoreUnavailableError('the store was used before init()');
      if (state === 'closed') throw new StoreUnavailableError('the store is closed');
    },
    liveUntil(taskKey) {
      const fields = keyspace.hashFields(taskKey);
      const expiresAt = Number(fields?.expires_at);
      return fields?.status === 'live' && expiresAt > clock.nowSeconds() ? expiresAt : undefined;
    },
    appendEvent(event) {
      ctx.audit.append(encodeAudit(event));
    },
    extendExpiry(key, epochSeconds) {
      const current = keyspace.expireTime(key);
      if (current === undefined || current < epochSeconds) keyspace.expireAt(key, epochSeconds);
    },
  };
  const { checkOpen, liveUntil } = ctx;
  const generation = (): number => toCount(keyspace.getString(keys.generation)) ?? 1;

  /** As redis/lua/commit-issuance.lua: of the oldest members that may have expired, up to `batch` whose task is gone are dropped. */
  const pruneIndex = (indexKey: string, batch: number): void => {
    const horizon = clock.nowSeconds() - retention;
    const gone = keyspace
      .sortedSetLowest(indexKey, horizon, batch)
      .filter(([id]) => !isValidKeyId(id) || !keyspace.exists(keys.task(id)))
      .map(([id]) => id);
    if (gone.length > 0) keyspace.removeFromSortedSet(indexKey, (id) => gone.includes(id));
  };

  return {
    ...createMemoryRevocations(ctx),
    ...createMemoryRuntime(ctx),
    ...createMemoryReads(ctx),
    ...createMemoryOperatorKeys(ctx),

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
      const { task, writ } = input;
      if (!commitKeys.requireLive.every((key) => liveUntil(key) !== undefined)) {
        return { ok: false, reason: 'task_not_live' };
      }
      if (input.subject !== undefined && !isWritItselfLive(readLivenessFacts(ctx, input.subject))) {
        return { ok: false, reason: 'subject_not_live' };
      }
      if (commitKeys.handoffUsed !== undefined && keyspace.exists(commitKeys.handoffUsed)) {
        return { ok: false, reason: 'handoff_used' };
      }
      let taskExpiresAt: number;
      if (input.createTask) {
        if (keyspace.exists(commitKeys.task)) return { ok: false, reason: 'task_exists' };
        taskExpiresAt = task.expires_at;
      } else {
        const liveExpiresAt = liveUntil(commitKeys.task);
        if (liveExpiresAt === undefined) return { ok: false, reason: 'task_not_live' };
        taskExpiresAt = liveExpiresAt;
      }
      if (writ.gen !== generation()) return { ok: false, reason: 'generation_changed' };
      const keepUntil = taskExpiresAt + retention;
      if (input.createTask) {
        keyspace.setHash(commitKeys.task, encodeTask(task));
        keyspace.expireAt(commitKeys.task, keepUntil);
        const cutoff = clock.nowSeconds() - MAX_TASK_LIFETIME_SECONDS - retention;
        // ZREMRANGEBYSCORE -inf cutoff, scanning only when the lowest member is below the cutoff.
        if (keyspace.sortedSetLowest(commitKeys.tasks, cutoff, 1).length > 0) {
          keyspace.removeFromSortedSet(commitKeys.tasks, (_id, createdAt) => createdAt < cutoff);
        }
        pruneIndex(commitKeys.tasks, INDEX_PRUNE_BATCH);
        keyspace.addToSortedSet(commitKeys.tasks, task.id, task.created_at);
        for (const indexKey of commitKeys.principalTasks) {
          pruneIndex(indexKey, Math.max(1, Math.floor(INDEX_PRUNE_BATCH / 4)));
          keyspace.addToSortedSet(indexKey, task.id, task.created_at);
          ctx.extendExpiry(indexKey, keepUntil);
        }
        if (commitKeys.parentChildren !== undefined) {
          keyspace.addToSet(commitKeys.parentChildren, task.id);
          ctx.extendExpiry(commitKeys.parentChildren, keepUntil);
        }
      }
      if (commitKeys.handoffUsed !== undefined && input.consumeHandoff !== undefined) {
        keyspace.setString(commitKeys.handoffUsed, '1');
        keyspace.expireAt(commitKeys.handoffUsed, input.consumeHandoff.until);
      }
      keyspace.setHash(commitKeys.task, appendTaskWrit(keyspace.hashFields(commitKeys.task), writ.jti));
      keyspace.setHash(commitKeys.writ, encodeWrit(writ));
      keyspace.expireAt(commitKeys.writ, writ.expires_at + retention);
      keyspace.setString(commitKeys.writTask, task.id);
      keyspace.expireAt(commitKeys.writTask, writ.expires_at + retention);
      ctx.appendEvent(input.audit);
      return { ok: true };
    },

    async appendAudit(event) {
      checkOpen();
      ctx.appendEvent(event);
    },

    async getTask(id) {
      if (!isValidKeyId(id)) return null;
      checkOpen();
      const fields = keyspace.hashFields(keys.task(id));
      return fields === undefined ? null : decodeTask(id, fields);
    },

    async areTasksLive(ids) {
      if (!ids.every(isValidKeyId)) return false;
      checkOpen();
      return ids.every((id) => liveUntil(keys.task(id)) !== undefined);
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
      return ctx.audit.before(undefined, count).map((entry) => decodeAudit(entry.value));
    },

    async close() {
      state = 'closed';
    },

    snapshot() {
      const result = keyspace.snapshot();
      for (const [key, stream] of [
        [keys.audit, ctx.audit],
        [keys.revocations, ctx.feed],
      ] as const) {
        if (stream.entries().length > 0) result[key] = stream.entries().map((entry) => entry.value);
      }
      return result;
    },
  };
}
