import type { AuditEvent } from '../../audit/audit-event.js';
import type { CommitIssuanceResult, WritLivenessInput, WritStore } from '../port/index.js';
import { StoreUnavailableError } from '../shared/errors.js';
import { isValidKeyId } from '../shared/keys.js';
import { decodeAudit, decodeTask, encodeAudit, encodeTask, encodeWrit } from '../shared/records.js';
import {
  checkRateLimitArgs,
  clampAuditLimit,
  INDEX_PRUNE_BATCH,
  MAX_TASK_LIFETIME_SECONDS,
  prepareCommit,
  toRateLimitResult,
} from '../shared/store-input.js';
import { createRedisContext, isStringRecord, type RedisStoreOptions, toStreamEntries } from './context.js';
import { createRedisFeedWaiter } from './feed-waiter.js';
import { checkEvictionPolicy, ensureDatasetMarker, warnIfNotDurable } from './init.js';
import { createRedisOperatorKeys } from './operator-keys.js';
import { createRedisReads } from './reads.js';
import { createRedisRevocations } from './revocations.js';
import { createRedisRuntime } from './runtime.js';

export type { RedisStoreOptions } from './context.js';

/** The production WritStore: Redis, with every multi-key change in one Lua script (docs/architecture.md §7). */
export function createRedisStore(options: RedisStoreOptions): WritStore {
  const ctx = createRedisContext(options);
  const { redis, keys, scripts, clock, logger, guard, readWithMarker, expectedEpoch, replyError } = ctx;
  const feedWaiter = createRedisFeedWaiter(ctx);

  return {
    ...createRedisRevocations(ctx),
    ...createRedisRuntime(ctx),
    ...createRedisReads(ctx),
    ...createRedisOperatorKeys(ctx),
    waitForRevocations: (afterId, timeoutMs, signal) => feedWaiter.wait(afterId, timeoutMs, signal),

    init: () =>
      guard('start', async () => {
        if (redis.status === 'wait') await redis.connect();
        await checkEvictionPolicy(redis);
        await warnIfNotDurable(redis, ctx.waitReplicas, logger);
        const current = await ensureDatasetMarker(redis, keys.dataset, logger);
        if (ctx.hasEpoch() && current !== expectedEpoch()) throw ctx.datasetLost();
        ctx.setEpoch(current);
      }),

    checkReady: () =>
      guard('answer a readiness check', async () => {
        await readWithMarker((pipeline) => pipeline.ping());
      }),

    async commitIssuance(input) {
      const commitKeys = prepareCommit(keys, input);
      const taskFields = encodeTask(input.task);
      const now = clock.nowSeconds();
      const reply = await guard('commit an issuance', () =>
        scripts.commitIssuance({
          keys: {
            dataset: keys.dataset,
            audit: keys.audit,
            task: commitKeys.task,
            writ: commitKeys.writ,
            writTask: commitKeys.writTask,
            generation: keys.generation,
            tasks: commitKeys.tasks,
            revokedWrits: keys.revokedWrits,
            revokedAll: keys.revokedAll,
            revokedPrincipals: keys.revokedPrincipals,
            revokedIssuers: keys.revokedIssuers,
            principalTasks: commitKeys.principalTasks,
            parentChildren: commitKeys.parentChildren,
            subjectWrit: commitKeys.subjectWrit,
            handoffUsed: commitKeys.handoffUsed,
            requireLive: commitKeys.requireLive,
          },
          args: {
            epoch: expectedEpoch(),
            now,
            createTask: input.createTask ? '1' : '0',
            auditMaxLen: ctx.auditMaxLen,
            retention: ctx.retention,
            event: encodeAudit(input.audit),
            jti: input.writ.jti,
            writExpiresAt: input.writ.expires_at,
            writGen: input.writ.gen,
            taskId: input.task.id,
            taskCreatedAt: input.task.created_at,
            principalIndexCount: commitKeys.principalTasks.length,
            hasParent: commitKeys.parentChildren === undefined ? '0' : '1',
            indexHorizon: now - MAX_TASK_LIFETIME_SECONDS - ctx.retention,
            taskFieldCount: taskFields.length,
            subject: input.subject === undefined ? '' : encodeSubject(input.subject),
            handoffUntil: input.consumeHandoff === undefined ? '' : input.consumeHandoff.until,
            taskFields,
            writFields: encodeWrit(input.writ),
            taskKeyBefore: keys.taskKeyParts[0],
            taskKeyAfter: keys.taskKeyParts[1],
            pruneBatch: INDEX_PRUNE_BATCH,
          },
        }),
      );
      switch (reply) {
        case 'ok':
          return { ok: true } satisfies CommitIssuanceResult;
        case 'task_not_live':
        case 'task_exists':
        case 'generation_changed':
        case 'subject_not_live':
        case 'handoff_used':
          return { ok: false, reason: reply } satisfies CommitIssuanceResult;
        default:
          throw replyError(reply);
      }
    },

    async appendAudit(event: AuditEvent) {
      const reply = await guard('append an audit event', () =>
        scripts.appendAudit({
          keys: { dataset: keys.dataset, audit: keys.audit },
          args: { epoch: expectedEpoch(), auditMaxLen: ctx.auditMaxLen, event: encodeAudit(event) },
        }),
      );
      if (reply !== 'ok') throw replyError(reply);
    },

    async getTask(id) {
      if (!isValidKeyId(id)) return null;
      const [fields] = await guard('read a task', () =>
        readWithMarker((pipeline) => pipeline.hgetall(keys.task(id))),
      );
      if (!isStringRecord(fields)) throw new StoreUnavailableError('Redis returned an unexpected task reply');
      return Object.keys(fields).length === 0 ? null : decodeTask(id, fields);
    },

    async areTasksLive(ids) {
      if (!ids.every(isValidKeyId)) return false;
      const now = clock.nowSeconds();
      const replies = await guard('check task liveness', () =>
        readWithMarker((pipeline) => {
          for (const id of ids) pipeline.hmget(keys.task(id), 'status', 'expires_at');
        }),
      );
      return replies.every((reply) => {
        if (!Array.isArray(reply)) return false;
        const [status, expiresAt] = reply as (string | null)[];
        return status === 'live' && expiresAt != null && Number(expiresAt) > now;
      });
    },

    async takeRateLimit(key, limit, windowSeconds) {
      checkRateLimitArgs(limit, windowSeconds);
      const counterKey = keys.rateLimit(key);
      const reply = await guard('count a rate limit', () =>
        scripts.rateLimit({ keys: { counter: counterKey }, args: { windowSeconds } }),
      );
      if (!Array.isArray(reply) || typeof reply[0] !== 'number' || typeof reply[1] !== 'number') {
        throw new StoreUnavailableError('Redis returned an unexpected rate limit reply');
      }
      return toRateLimitResult(reply[0], limit, reply[1]);
    },

    async readAudit(limit) {
      const count = clampAuditLimit(limit, ctx.auditMaxLen);
      const [entries = []] = await guard('read the audit stream', () =>
        readWithMarker((pipeline) => {
          if (count > 0) pipeline.xrevrange(keys.audit, '+', '-', 'COUNT', count);
        }),
      );
      return toStreamEntries(entries).map((entry) => decodeAudit(entry.value));
    },

    async close() {
      feedWaiter.close();
      try {
        await redis.quit();
      } catch {
        // Already disconnected: disconnect() below still stops the background reconnects.
      } finally {
        redis.disconnect();
      }
    },
  };
}

/** What lua/commit-issuance.lua needs of the subject writ (its record key is passed as a key). */
function encodeSubject(subject: WritLivenessInput): string {
  const { jti, gen, principals, issuers } = subject;
  return JSON.stringify({ jti, gen, principals, issuers });
}
