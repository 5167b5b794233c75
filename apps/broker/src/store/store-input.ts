import { InvalidStoreInputError } from './errors.js';
import type { StoreKeys } from './keys.js';
import type { CommitIssuanceInput, RateLimitResult } from './ports.js';

/** Audit stream bound (entries) unless configured. */
export const DEFAULT_AUDIT_MAX_LEN = 100_000;
/** How long task and writ records outlive their expiry, for audit and investigation. */
export const DEFAULT_RETENTION_SECONDS = 3600;

export interface CommitKeys {
  task: string;
  taskWrits: string;
  writ: string;
  requireLive: string[];
}

/** Checks a commit before any I/O and builds its keys (which rejects ids unusable in a key). */
export function prepareCommit(keys: StoreKeys, input: CommitIssuanceInput): CommitKeys {
  const { task, writ } = input;
  if (writ.task_id !== task.id) throw new InvalidStoreInputError('writ.task_id must equal task.id');
  if (input.createTask && task.status !== 'live') {
    throw new InvalidStoreInputError('a task is created with status "live"');
  }
  return {
    task: keys.task(task.id),
    taskWrits: keys.taskWrits(task.id),
    writ: keys.writ(task.id, writ.jti),
    requireLive: input.requireLive.map((id) => keys.task(id)),
  };
}

export function checkRateLimitArgs(limit: number, windowSeconds: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new InvalidStoreInputError('rate limit must be a positive integer');
  }
  if (!Number.isSafeInteger(windowSeconds) || windowSeconds < 1) {
    throw new InvalidStoreInputError('rate limit window must be a positive number of seconds');
  }
}

/** `ttlMs` is what is left of the window. Retry-After is only meaningful when refused. */
export function toRateLimitResult(count: number, limit: number, ttlMs: number): RateLimitResult {
  const allowed = count <= limit;
  return {
    allowed,
    remaining: Math.max(0, limit - count),
    retryAfterSeconds: allowed ? 0 : Math.max(1, Math.ceil(ttlMs / 1000)),
  };
}

/** How many audit events a read returns: never more than the stream is meant to hold. */
export function clampAuditLimit(limit: number, maxLen: number): number {
  if (!Number.isFinite(limit)) return 0;
  return Math.max(0, Math.min(Math.floor(limit), maxLen));
}

export function checkPositiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InvalidStoreInputError(`${name} must be a positive integer`);
  }
  return value;
}
