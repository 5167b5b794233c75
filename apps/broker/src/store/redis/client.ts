import { Redis } from 'ioredis';
import type { Logger } from '../../shared/logger.js';

export interface RedisClientOptions {
  url: string;
  logger: Logger;
  commandTimeoutMs: number;
  connectTimeoutMs: number;
}

const MAX_RECONNECT_DELAY_MS = 500;

/**
 * An ioredis client that fails fast and never hangs (docs/architecture.md §7): no offline queue (a command
 * while disconnected fails at once), a per-command timeout, no resending of commands whose outcome
 * is unknown, and reconnection in the background so the broker recovers without a restart.
 */
export function createRedisClient({
  url,
  logger,
  commandTimeoutMs,
  connectTimeoutMs,
}: RedisClientOptions): Redis {
  const redis = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    commandTimeout: commandTimeoutMs,
    connectTimeout: connectTimeoutMs,
    // A blackholed connection keeps timing commands out; drop it so a reconnect can find Redis again.
    socketTimeout: Math.max(2000, commandTimeoutMs * 4),
    maxRetriesPerRequest: 0,
    // Commands issued in the same tick (many requests in flight) go out in one write.
    enableAutoPipelining: true,
    autoResendUnfulfilledCommands: false,
    retryStrategy: (attempt) => Math.min(50 * attempt, MAX_RECONNECT_DELAY_MS),
    // After a failover the old primary answers READONLY; reconnecting lets DNS or Sentinel lead to the new one.
    reconnectOnError: (error) => error.message.startsWith('READONLY'),
  });

  let healthy = false;
  redis.on('ready', () => {
    healthy = true;
    logger.info({}, 'redis connection ready');
  });
  redis.on('error', (error: Error) => {
    // Reconnect attempts fail every few hundred ms while Redis is down: log the first one only.
    if (healthy) logger.warn({ err: { message: error.message } }, 'redis connection failed; reconnecting');
    else logger.debug({ err: { message: error.message } }, 'redis connection attempt failed');
    healthy = false;
  });
  redis.on('close', () => {
    if (healthy) logger.warn({}, 'redis connection closed; reconnecting');
    healthy = false;
  });
  return redis;
}
