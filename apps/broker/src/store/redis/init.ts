import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../../shared/logger.js';
import { DatasetLostError, UnsafeStoreConfigError } from '../shared/errors.js';

const SAFE_POLICY = 'noeviction';

/**
 * Refuses a Redis that may evict keys under memory pressure: an evicted revocation or task record
 * would silently turn a "no" into a "yes" (docs/architecture.md §7).
 */
export async function checkEvictionPolicy(redis: Redis): Promise<void> {
  const policy = await readEvictionPolicy(redis);
  if (policy === SAFE_POLICY) return;
  throw new UnsafeStoreConfigError(
    `Redis maxmemory-policy is "${policy ?? 'unknown'}", but Writ needs "${SAFE_POLICY}" so that Redis ` +
      `never drops tasks, writs or revocations to free memory. Set "maxmemory-policy ${SAFE_POLICY}" ` +
      `in redis.conf (or run CONFIG SET maxmemory-policy ${SAFE_POLICY} and CONFIG REWRITE), then start the broker again.`,
  );
}

async function readEvictionPolicy(redis: Redis): Promise<string | undefined> {
  try {
    const reply = (await redis.call('CONFIG', 'GET', 'maxmemory-policy')) as unknown;
    if (Array.isArray(reply) && typeof reply[1] === 'string') return reply[1];
  } catch (error) {
    // Managed Redis services often disable or rename CONFIG; INFO tells the same thing.
    if (!isCommandRefused(error)) throw error;
  }
  const info = await redis.info('memory');
  return /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
}

/**
 * A revocation is answered 200 only once durable: with no replicas to WAIT for, that
 * holds only if every write is fsynced to the AOF. Otherwise say so loudly at start; refusing
 * would break setups that keep durability elsewhere (e.g. managed Redis that hides CONFIG).
 */
export async function warnIfNotDurable(redis: Redis, waitReplicas: number, logger: Logger): Promise<void> {
  if (waitReplicas > 0) return;
  let appendonly: string | undefined;
  let appendfsync: string | undefined;
  try {
    const reply = (await redis.call('CONFIG', 'GET', 'append*')) as unknown;
    if (Array.isArray(reply)) {
      for (let i = 0; i + 1 < reply.length; i += 2) {
        if (reply[i] === 'appendonly') appendonly = String(reply[i + 1]);
        if (reply[i] === 'appendfsync') appendfsync = String(reply[i + 1]);
      }
    }
  } catch (error) {
    if (!isCommandRefused(error)) throw error;
  }
  if (appendonly === 'yes' && appendfsync === 'always') return;
  logger.warn(
    {
      appendonly: appendonly ?? 'unknown',
      appendfsync: appendfsync ?? 'unknown',
      wait_replicas: waitReplicas,
    },
    'revocations are NOT durable across a Redis crash: set "appendonly yes" and "appendfsync always", ' +
      'or redis.wait_replicas > 0 with replicas (docs/operations.md)',
  );
}

function isCommandRefused(error: unknown): boolean {
  return error instanceof Error && /^(ERR|NOPERM)\b/.test(error.message);
}

/**
 * Creates the dataset marker if Redis holds none and returns the epoch in force. A marker that
 * later vanishes or changes means Redis lost our data (flush, restart without persistence).
 */
export async function ensureDatasetMarker(redis: Redis, key: string, logger: Logger): Promise<string> {
  const candidate = randomUUID();
  const created = await redis.set(key, candidate, 'NX');
  const epoch = await redis.get(key);
  if (epoch === null) throw new DatasetLostError('the dataset marker vanished right after it was set');
  if (created === 'OK' && epoch === candidate) {
    logger.warn(
      { epoch },
      'Redis held no Writ dataset marker: started a new dataset epoch (expected on a first start; ' +
        'otherwise Redis lost its data and every earlier task, writ and revocation is gone)',
    );
  } else {
    logger.info({ epoch }, 'Writ dataset marker verified');
  }
  return epoch;
}
