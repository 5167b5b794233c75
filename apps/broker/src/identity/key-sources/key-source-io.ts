import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';

/** What every key source needs to load and cache keys. */
export interface KeySourceIo {
  fetch: typeof fetch;
  timeoutMs: number;
  maxBytes: number;
  cooldownMs: number;
  clock: Clock;
  logger: Logger;
}
