import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { WritStore } from '../store/index.js';

/**
 * Failed operator authentications per client. The in-process counter (a bounded LRU map) is
 * read before any store or argon2 work — the store's counter has no peek, and a blocked client
 * must cost nothing. The store's fixed-window counter carries failures across replicas: each
 * failure's result tells this replica how far over the shared limit the client already is.
 */
export interface FailureLimiter {
  /** Seconds until the client may try again, or null when it is not blocked. */
  retryAfter(clientKey: string): number | null;
  /** `shared`: also count in the store (failures that already cost a store read). */
  recordFailure(clientKey: string, shared: boolean): Promise<void>;
}

export interface FailureLimiterOptions {
  store: Pick<WritStore, 'takeRateLimit'>;
  clock: Clock;
  logger: Logger;
  limit: number;
  windowSeconds: number;
  /** Clients tracked at once; the least recently seen is forgotten first. */
  maxClients?: number;
}

interface Window {
  count: number;
  endsAtMs: number;
}

export function createFailureLimiter(options: FailureLimiterOptions): FailureLimiter {
  const { store, clock, logger, limit, windowSeconds, maxClients = 10_000 } = options;
  if (!Number.isInteger(limit) || limit < 1) throw new Error('failure limit must be a positive integer');
  if (!Number.isInteger(windowSeconds) || windowSeconds < 1) {
    throw new Error('failure window must be a positive integer');
  }
  const windows = new Map<string, Window>();

  const current = (clientKey: string): Window | undefined => {
    const window = windows.get(clientKey);
    if (!window) return undefined;
    if (window.endsAtMs <= clock.nowMs()) {
      windows.delete(clientKey);
      return undefined;
    }
    return window;
  };
  const touch = (clientKey: string): Window => {
    const window = current(clientKey) ?? { count: 0, endsAtMs: clock.nowMs() + windowSeconds * 1000 };
    windows.delete(clientKey);
    windows.set(clientKey, window);
    if (windows.size > maxClients) {
      const oldest = windows.keys().next().value;
      if (oldest !== undefined) windows.delete(oldest);
    }
    return window;
  };

  return {
    retryAfter(clientKey) {
      const window = current(clientKey);
      if (!window || window.count < limit) return null;
      return Math.max(1, Math.ceil((window.endsAtMs - clock.nowMs()) / 1000));
    },
    async recordFailure(clientKey, shared) {
      touch(clientKey).count++;
      if (!shared) return;
      try {
        const result = await store.takeRateLimit(`opauth-fail:${clientKey}`, limit, windowSeconds);
        // Re-read: the map may have changed while the store answered.
        const window = touch(clientKey);
        if (result.allowed) {
          window.count = Math.max(window.count, limit - result.remaining);
        } else {
          window.count = Math.max(window.count, limit);
          window.endsAtMs = Math.max(window.endsAtMs, clock.nowMs() + result.retryAfterSeconds * 1000);
        }
      } catch (err) {
        // The caller is refused either way; the local counter still limits this replica.
        logger.error({ err }, 'operator failure counter unavailable');
      }
    },
  };
}
