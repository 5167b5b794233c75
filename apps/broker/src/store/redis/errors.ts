import { InvalidStoreInputError, StoreUnavailableError, UnsafeStoreConfigError } from '../shared/errors.js';

/**
 * Any failure talking to Redis (closed connection, timeout, READONLY, OOM, LOADING, ...) means the
 * answer is unknown: StoreUnavailableError with a short, safe message and the original as cause.
 */
export function toStoreError(error: unknown, operation: string): Error {
  if (
    error instanceof StoreUnavailableError ||
    error instanceof UnsafeStoreConfigError ||
    error instanceof InvalidStoreInputError
  ) {
    return error;
  }
  return new StoreUnavailableError(`Redis could not ${operation}: ${describeFailure(error)}`, {
    cause: error,
  });
}

function describeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  // Redis error replies start with an upper-case code (READONLY, OOM, LOADING, BUSY, MASTERDOWN).
  const code = /^([A-Z][A-Z_]{2,})\s/.exec(message)?.[1];
  if (code !== undefined && code !== 'ERR') return `Redis replied ${code}`;
  if (/timed out|timeout/i.test(message)) return 'no reply in time';
  if (code === 'ERR') return 'Redis replied with an error';
  return 'no connection';
}
