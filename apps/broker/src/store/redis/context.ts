import type { ChainableCommander, Redis } from 'ioredis';
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import { DatasetLostError, InvalidStoreInputError, StoreUnavailableError } from '../shared/errors.js';
import { createStoreKeys, type StoreKeys } from '../shared/keys.js';
import { DEFAULT_FEED_MAX_LEN } from '../shared/revocation-records.js';
import {
  checkPositiveInteger,
  DEFAULT_AUDIT_MAX_LEN,
  DEFAULT_RETENTION_SECONDS,
} from '../shared/store-input.js';
import { createRedisClient } from './client.js';
import { toStoreError } from './errors.js';
import { defineStoreScripts, type StoreScripts } from './scripts.js';

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
  /** Bound of the revocation feed (exact MAXLEN: revocations are rare); default 100000. */
  feedMaxLen?: number;
  /** Task and writ keys expire this long after the record does; default 3600. */
  retentionSeconds?: number;
  /** Default `writ:v2:`; tests use their own to share one server. */
  keyPrefix?: string;
  /**
   * Replicas that must confirm a revocation (WAIT) before it is reported done; default 0.
   * On a single primary, what makes an acknowledged revocation survive a crash is AOF with
   * `appendfsync always` (each write is fsynced before Redis replies); with replicas, set this so
   * a failover cannot promote a replica that never saw the revocation.
   */
  waitReplicas?: number;
  /** How long WAIT may take; default 1000. */
  waitTimeoutMs?: number;
}

/** What the Redis store's parts share: one client, its scripts, and the dataset-marker discipline. */
export interface RedisContext {
  redis: Redis;
  keys: StoreKeys;
  scripts: StoreScripts;
  clock: Clock;
  logger: Logger;
  auditMaxLen: number;
  feedMaxLen: number;
  retention: number;
  commandTimeoutMs: number;
  waitReplicas: number;
  waitTimeoutMs: number;
  /** Runs an operation, turning any failure into StoreUnavailableError (or keeping ours). */
  guard<T>(operation: string, run: () => Promise<T>): Promise<T>;
  /** The epoch init() verified; throws before init(). */
  expectedEpoch(): string;
  setEpoch(epoch: string): void;
  hasEpoch(): boolean;
  datasetLost(): DatasetLostError;
  /** A script's non-data reply: 'dataset_lost' → DatasetLostError, anything else → unavailable. */
  replyError(reply: unknown): Error;
  /** A read pipeline followed by a GET of the marker; throws DatasetLostError if it changed. */
  readWithMarker(build: (pipeline: ChainableCommander) => void): Promise<unknown[]>;
}

export function createRedisContext(options: RedisStoreOptions): RedisContext {
  const { clock, logger } = options;
  const keys = createStoreKeys(options.keyPrefix);
  const commandTimeoutMs = checkPositiveInteger('commandTimeoutMs', options.commandTimeoutMs ?? 500);
  const waitReplicas = options.waitReplicas ?? 0;
  if (!Number.isSafeInteger(waitReplicas) || waitReplicas < 0) {
    throw new InvalidStoreInputError('waitReplicas must be a non-negative integer');
  }
  const redis = createRedisClient({
    url: options.url,
    logger,
    commandTimeoutMs,
    connectTimeoutMs: checkPositiveInteger('connectTimeoutMs', options.connectTimeoutMs ?? 1000),
  });
  let epoch: string | undefined;

  const datasetLost = (): DatasetLostError =>
    new DatasetLostError('Redis lost the Writ dataset (marker missing or changed); failing closed');
  const expectedEpoch = (): string => {
    if (epoch === undefined) throw new StoreUnavailableError('the store was used before init()');
    return epoch;
  };

  return {
    redis,
    keys,
    scripts: defineStoreScripts(redis),
    clock,
    logger,
    auditMaxLen: checkPositiveInteger('auditMaxLen', options.auditMaxLen ?? DEFAULT_AUDIT_MAX_LEN),
    feedMaxLen: checkPositiveInteger('feedMaxLen', options.feedMaxLen ?? DEFAULT_FEED_MAX_LEN),
    retention: checkPositiveInteger(
      'retentionSeconds',
      options.retentionSeconds ?? DEFAULT_RETENTION_SECONDS,
    ),
    commandTimeoutMs,
    waitReplicas,
    waitTimeoutMs: checkPositiveInteger('waitTimeoutMs', options.waitTimeoutMs ?? 1000),
    async guard(operation, run) {
      try {
        return await run();
      } catch (error) {
        throw toStoreError(error, operation);
      }
    },
    expectedEpoch,
    setEpoch(value) {
      epoch = value;
    },
    hasEpoch: () => epoch !== undefined,
    datasetLost,
    replyError(reply) {
      return reply === 'dataset_lost'
        ? datasetLost()
        : new StoreUnavailableError('Redis returned an unexpected reply');
    },
    // Reads are pipelined with a GET of the marker *after* the data: whatever lost the data (flush,
    // restart) also lost the marker, and an epoch is never reused, so seeing ours afterwards proves
    // the data read was intact. A pipeline, unlike MULTI, still runs on a replica and under OOM.
    async readWithMarker(build) {
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
    },
  };
}

export function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Stream entries as ioredis returns them: [id, [field, value, ...]]; ours have one field. */
export function toStreamEntries(reply: unknown): Array<{ id: string; value: string }> {
  if (!Array.isArray(reply)) throw new StoreUnavailableError('Redis returned an unexpected stream reply');
  return reply.map((entry: unknown) => {
    const [id, fields] = Array.isArray(entry) ? (entry as unknown[]) : [];
    const value = Array.isArray(fields) ? (fields[1] as unknown) : undefined;
    if (typeof id !== 'string' || typeof value !== 'string') {
      throw new StoreUnavailableError('a stored stream entry is malformed');
    }
    return { id, value };
  });
}

/** A flat [name, value, name, value, ...] reply (HGETALL in Lua, WITHSCORES) as pairs. */
export function toPairs(reply: unknown): Array<[string, string]> {
  if (!Array.isArray(reply)) throw new StoreUnavailableError('Redis returned an unexpected reply');
  const result: Array<[string, string]> = [];
  for (let i = 0; i + 1 < reply.length; i += 2) result.push([String(reply[i]), String(reply[i + 1])]);
  return result;
}
