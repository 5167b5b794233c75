import type { EndedTaskStatus, RevocationTarget, RevokeInput } from '../port/index.js';
import { InvalidCursorError, InvalidStoreInputError } from './errors.js';
import { MAX_PRINCIPAL_LENGTH } from './keys.js';
import { isEndedStatus, isStreamId } from './revocation-records.js';

const MAX_REASON_LENGTH = 512;
export const MAX_FEED_PAGE = 1000;
/** Expired principal / issuer marks dropped per revocation: bounded work in one script. */
export const MARK_PRUNE_BATCH = 100;

export interface CheckedRevocation {
  /** Only the fields of its kind, so the feed entry holds nothing a caller slipped in. */
  target: RevocationTarget;
  status: EndedTaskStatus;
  reason: string;
  writUntil?: number;
  markUntil?: number;
}

/** Validates a revocation before any I/O; ids that cannot be keys are left for the store to find unknown. */
export function checkRevokeInput(input: RevokeInput): CheckedRevocation {
  const status = input.status ?? 'revoked';
  if (!isEndedStatus(status)) throw new InvalidStoreInputError('status must be an ended task status');
  if (typeof input.reason !== 'string' || input.reason.length > MAX_REASON_LENGTH) {
    throw new InvalidStoreInputError(`reason must be a string of at most ${MAX_REASON_LENGTH} characters`);
  }
  if (input.writUntil !== undefined && (!Number.isSafeInteger(input.writUntil) || input.writUntil < 0)) {
    throw new InvalidStoreInputError('writUntil must be epoch seconds');
  }
  if (input.markUntil !== undefined && (!Number.isSafeInteger(input.markUntil) || input.markUntil < 0)) {
    throw new InvalidStoreInputError('markUntil must be epoch seconds');
  }
  return {
    target: normalizeTarget(input.target),
    status,
    reason: input.reason,
    ...(input.writUntil === undefined ? {} : { writUntil: input.writUntil }),
    ...(input.markUntil === undefined ? {} : { markUntil: input.markUntil }),
  };
}

function normalizeTarget(target: RevocationTarget): RevocationTarget {
  switch (target.kind) {
    case 'task':
      return { kind: 'task', task_id: checkName('task_id', target.task_id) };
    case 'writ':
      return { kind: 'writ', jti: checkName('jti', target.jti) };
    case 'principal':
      return { kind: 'principal', principal: checkName('principal', target.principal) };
    case 'issuer':
      return { kind: 'issuer', issuer: checkName('issuer', target.issuer) };
    case 'all':
      return { kind: 'all' };
    default:
      throw new InvalidStoreInputError('unknown revocation target kind');
  }
}

function checkName(what: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_PRINCIPAL_LENGTH) {
    throw new InvalidStoreInputError(`${what} must be 1-${MAX_PRINCIPAL_LENGTH} characters`);
  }
  return value;
}

export function checkFeedPage(count: number): void {
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_FEED_PAGE) {
    throw new InvalidStoreInputError(`feed page size must be an integer from 1 to ${MAX_FEED_PAGE}`);
  }
}

/** The longest a waitForRevocations call may block (matches revocations.poll_interval_ms's bound). */
export const MAX_FEED_WAIT_MS = 600_000;

export function checkFeedWait(afterId: string, timeoutMs: number): void {
  if (!isStreamId(afterId)) throw new InvalidCursorError('not a revocation feed id');
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_FEED_WAIT_MS) {
    throw new InvalidStoreInputError(`feed wait must be an integer from 1 to ${MAX_FEED_WAIT_MS} ms`);
  }
}
