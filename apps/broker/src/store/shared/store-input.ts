import type { CommitIssuanceInput, RateLimitResult } from '../port/index.js';
import { InvalidStoreInputError } from './errors.js';
import type { StoreKeys } from './keys.js';
import { checkLivenessInput } from './liveness.js';

/** Audit stream bound (entries) unless configured. */
export const DEFAULT_AUDIT_MAX_LEN = 100_000;
/** How long task and writ records outlive their expiry, for audit and investigation. */
export const DEFAULT_RETENTION_SECONDS = 3600;

/** config.ts caps a task's lifetime at one day: index entries older than that plus retention are dead. */
export const MAX_TASK_LIFETIME_SECONDS = 86_400;

/**
 * A task creation looks at this many of the oldest entries of the tasks index (and a quarter as
 * many of each principal index it touches) and drops those whose task hash has expired: bounded
 * work per commit that still removes entries faster than one creation adds them.
 */
export const INDEX_PRUNE_BATCH = 16;

export interface CommitKeys {
  task: string;
  writ: string;
  writTask: string;
  requireLive: string[];
  /** The tasks index and the principal indexes (sub, and client_id when different). */
  tasks: string;
  principalTasks: string[];
  /** The parent's children set, when the task is delegated. */
  parentChildren?: string;
  /** The subject writ's record, when the issuance exchanges one. */
  subjectWrit?: string;
  /** The consumed-handoff mark, when the issuance accepts a handoff. */
  handoffUsed?: string;
}

/** Checks a commit before any I/O and builds its keys (which rejects ids unusable in a key). */
export function prepareCommit(keys: StoreKeys, input: CommitIssuanceInput): CommitKeys {
  const { task, writ } = input;
  if (writ.task_id !== task.id) throw new InvalidStoreInputError('writ.task_id must equal task.id');
  if (input.createTask && task.status !== 'live') {
    throw new InvalidStoreInputError('a task is created with status "live"');
  }
  if (!Number.isSafeInteger(writ.gen) || writ.gen < 1) {
    throw new InvalidStoreInputError('writ.gen must be a positive integer');
  }
  // The subject was read back from a verified writ already found live: an id that could never
  // have been stored is a caller bug, not a dead writ.
  if (input.subject !== undefined && !checkLivenessInput(input.subject)) {
    throw new InvalidStoreInputError('subject ids must be usable in a key');
  }
  const handoff = input.consumeHandoff;
  if (handoff !== undefined) {
    if (!input.createTask) throw new InvalidStoreInputError('a handoff is consumed by creating a task');
    if (!Number.isSafeInteger(handoff.until) || handoff.until < 1) {
      throw new InvalidStoreInputError('consumeHandoff.until must be a positive integer');
    }
  }
  const principals = [...new Set([task.principal, task.client_id])];
  return {
    task: keys.task(task.id),
    writ: keys.writ(task.id, writ.jti),
    writTask: keys.writTask(writ.jti),
    requireLive: input.requireLive.map((id) => keys.task(id)),
    tasks: keys.tasks,
    principalTasks: principals.map((principal) => keys.principalTasks(principal)),
    ...(task.parent === undefined ? {} : { parentChildren: keys.taskChildren(task.parent) }),
    ...(input.subject === undefined
      ? {}
      : { subjectWrit: keys.writ(input.subject.task_id, input.subject.jti) }),
    ...(handoff === undefined ? {} : { handoffUsed: keys.handoffUsed(handoff.jti) }),
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
