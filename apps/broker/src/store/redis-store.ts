import type { ChainableCommander } from 'ioredis';
import type { AuditEvent } from '../audit/audit-event.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { DatasetLostError, StoreUnavailableError } from './errors.js';
import { createStoreKeys, isValidKeyId } from './keys.js';
import type { CommitIssuanceResult, WritStore } from './ports.js';
import { decodeAudit, decodeTask, encodeAudit, encodeTask, encodeWrit } from './records.js';
import { createRedisClient } from './redis-client.js';
import { toStoreError } from './redis-errors.js';
import { checkEvictionPolicy, ensureDatasetMarker } from './redis-init.js';
import { defineStoreScripts } from './redis-scripts.js';
import {
  checkPositiveInteger,
  checkRateLimitArgs,
  clampAuditLimit,
  DEFAULT_AUDIT_MAX_LEN,
  DEFAULT_RETENTION_SECONDS,
  prepareCommit,
  toRateLimitResult,
} from './store-input.js';

export interface RedisStoreOptions {
  url: string;
  clock: Clock;
  logger: Logger;
  /** Default 500. */
  commandTimeoutMs?: number;
  /** Default 1000. */
  connectTimeoutMs?: number;
  /** Approximate bound of the audit stream (XADD MAXLEN ~); default 100000. */
  auditMaxLen?: number;
  /** Task and writ keys expire this long after the record does; default 3600. */
  retentionSeconds?: number;
  /** Default `writ:v1:`; tests use their own to share one server. */
  keyPrefix?: string;
}

/** The production WritStore: Redis, with every multi-key change in one Lua script (DESIGN.md §7). */
export function createRedisStore(options: RedisStoreOptions): WritStore {
  const { clock, logger } = options;
  const keys = createStoreKeys(options.keyPrefix);
  const auditMaxLen = checkPositiveInteger('auditMaxLen', options.auditMaxLen ?? DEFAULT_AUDIT_MAX_LEN);
  const retention = checkPositiveInteger(
    'retentionSeconds',
    options.retentionSeconds ?? DEFAULT_RETENTION_SECONDS,
  );
  const redis = createRedisClient({
    url: options.url,
    logger,
    commandTimeoutMs: checkPositiveInteger('commandTimeoutMs', options.commandTimeoutMs ?? 500),
    connectTimeoutMs: checkPositiveInteger('connectTimeoutMs', options.connectTimeoutMs ?? 1000),
  });
  const scripts = defineStoreScripts(redis);
  let epoch: string | undefined;

  const guard = async <T>(operation: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw toStoreError(error, operation);
    }
  };
  const expectedEpoch = (): string => {
    if (epoch === undefined) throw new StoreUnavailableError('the store was used before init()');
    return epoch;
  };
  const datasetLost = (): DatasetLostError =>
    new DatasetLostError('Redis lost the Writ dataset (marker missing or changed); failing closed');

  // Reads are pipelined with a GET of the marker *after* the data: whatever lost the data (flush,
  // restart) also lost the marker, and an epoch is never reused, so seeing ours afterwards proves
  // the data read was intact. A pipeline, unlike MULTI, still runs on a replica and under OOM.
  const readWithMarker = async (build: (pipeline: ChainableCommander) => void): Promise<unknown[]> => {
    const expected = expectedEpoch();
    const pipeline = redis.pipeline();
    build(pipeline);
    pipeline.get(keys.dataset);
    const results = await pipeline.exec();
    if (results === null) throw new StoreUnavailableError('Redis dropped a read pipeline');
    const values = results.map(([error, value]) => {
      if (error) throw error;
      return value;
    });
    if (values.pop() !== expected) throw datasetLost();
    return values;
  };

  return {
    init: () =>
      guard('start', async () => {
        if (redis.status === 'wait') await redis.connect();
        await checkEvictionPolicy(redis);
        const current = await ensureDatasetMarker(redis, keys.dataset, logger);
        if (epoch !== undefined && current !== epoch) throw datasetLost();
        epoch = current;
      }),

    checkReady: () =>
      guard('answer a readiness check', async () => {
        await readWithMarker((pipeline) => pipeline.ping());
      }),

    async commitIssuance(input) {
      const commitKeys = prepareCommit(keys, input);
      const taskFields = encodeTask(input.task);
      const reply = await guard('commit an issuance', () =>
        scripts.commitIssuance(
          [
            keys.dataset,
            keys.audit,
            commitKeys.task,
            commitKeys.taskWrits,
            commitKeys.writ,
            ...commitKeys.requireLive,
          ],
          [
            expectedEpoch(),
            clock.nowSeconds(),
            input.createTask ? '1' : '0',
            auditMaxLen,
            retention,
            encodeAudit(input.audit),
            input.writ.jti,
            input.writ.expires_at,
            taskFields.length,
            ...taskFields,
            ...encodeWrit(input.writ),
          ],
        ),
      );
      switch (reply) {
        case 'ok':
          return { ok: true } satisfies CommitIssuanceResult;
        case 'task_not_live':
        case 'task_exists':
          return { ok: false, reason: reply } satisfies CommitIssuanceResult;
        default:
          throw replyError(reply);
      }
    },

    async appendAudit(event: AuditEvent) {
      const reply = await guard('append an audit event', () =>
        scripts.appendAudit([keys.dataset, keys.audit], [expectedEpoch(), auditMaxLen, encodeAudit(event)]),
      );
      if (reply !== 'ok') throw replyError(reply);
    },

    async getTask(id) {
      if (!isValidKeyId(id)) return null;
      const [fields] = await guard('read a task', () =>
        readWithMarker((pipeline) => pipeline.hgetall(keys.task(id))),
      );
      if (!isStringRecord(fields)) throw new StoreUnavailableError('Redis returned an unexpected task reply');
      return Object.keys(fields).length === 0 ? null : decodeTask(fields);
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

    async quarantineTask(id, audit) {
      if (!isValidKeyId(id)) return false;
      const reply = await guard('quarantine a task', () =>
        scripts.quarantineTask(
          [keys.dataset, keys.audit, keys.task(id)],
          [expectedEpoch(), clock.nowSeconds(), auditMaxLen, encodeAudit(audit)],
        ),
      );
      if (reply === 'ok') return true;
      if (reply === 'not_live') return false;
      throw replyError(reply);
    },

    async takeRateLimit(key, limit, windowSeconds) {
      checkRateLimitArgs(limit, windowSeconds);
      const counterKey = keys.rateLimit(key);
      const reply = await guard('count a rate limit', () => scripts.rateLimit([counterKey], [windowSeconds]));
      if (!Array.isArray(reply) || typeof reply[0] !== 'number' || typeof reply[1] !== 'number') {
        throw new StoreUnavailableError('Redis returned an unexpected rate limit reply');
      }
      return toRateLimitResult(reply[0], limit, reply[1]);
    },

    async readAudit(limit) {
      const count = clampAuditLimit(limit, auditMaxLen);
      const [entries = []] = await guard('read the audit stream', () =>
        readWithMarker((pipeline) => {
          if (count > 0) pipeline.xrevrange(keys.audit, '+', '-', 'COUNT', count);
        }),
      );
      if (!Array.isArray(entries))
        throw new StoreUnavailableError('Redis returned an unexpected audit reply');
      return entries.map((entry: unknown) => decodeAudit(eventField(entry)));
    },

    async close() {
      try {
        await redis.quit();
      } catch {
        // Already disconnected: disconnect() below still stops the background reconnects.
      } finally {
        redis.disconnect();
      }
    },
  };

  function replyError(reply: unknown): Error {
    return reply === 'dataset_lost'
      ? datasetLost()
      : new StoreUnavailableError('Redis returned an unexpected reply');
  }
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// XREVRANGE entries are [id, [field, value, ...]]; our events live in the `e` field.
function eventField(entry: unknown): string {
  const fields = Array.isArray(entry) ? (entry[1] as unknown) : undefined;
  if (Array.isArray(fields)) {
    const index = fields.indexOf('e');
    const value: unknown = index >= 0 && index % 2 === 0 ? fields[index + 1] : undefined;
    if (typeof value === 'string') return value;
  }
  throw new StoreUnavailableError('a stored audit entry has no event');
}
