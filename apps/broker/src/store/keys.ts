import { InvalidStoreInputError } from './errors.js';

/** Every key lives under this prefix; the version lets a new layout coexist with the old one. */
export const KEY_PREFIX = 'writ:v1:';

export interface StoreKeys {
  readonly prefix: string;
  /** String: the dataset marker (a random epoch) that proves Redis still holds our data. */
  readonly dataset: string;
  /** Stream: audit events, one JSON `e` field per entry. */
  readonly audit: string;
  /** Hash: one task record. */
  task(taskId: string): string;
  /** Set: the jtis issued for a task. */
  taskWrits(taskId: string): string;
  /** Hash: one writ record. */
  writ(taskId: string, jti: string): string;
  /** String counter: one fixed rate-limit window. */
  rateLimit(key: string): string;
}

const PREFIX_PATTERN = /^[A-Za-z0-9_.:-]{0,63}:$/;
// Braces would break the Cluster hash tag; whitespace and control characters have no place in a key.
const FORBIDDEN = /[{}\s\p{Cc}]/u;
const MAX_ID_LENGTH = 128;
const MAX_RATE_LIMIT_KEY_LENGTH = 512;

/**
 * Builds the store's keys. Task-scoped keys carry the task id as a hash tag (`{id}`) so a task's
 * keys share one Redis Cluster slot.
 */
export function createStoreKeys(prefix: string = KEY_PREFIX): StoreKeys {
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new InvalidStoreInputError('key prefix must be up to 64 of [A-Za-z0-9_.:-], ending in ":"');
  }
  return {
    prefix,
    dataset: `${prefix}dataset`,
    audit: `${prefix}audit`,
    task: (taskId) => `${prefix}task:{${checkKeyPart('task id', taskId, MAX_ID_LENGTH)}}`,
    taskWrits: (taskId) => `${prefix}task:{${checkKeyPart('task id', taskId, MAX_ID_LENGTH)}}:writs`,
    writ: (taskId, jti) =>
      `${prefix}writ:{${checkKeyPart('task id', taskId, MAX_ID_LENGTH)}}:${checkKeyPart('jti', jti, MAX_ID_LENGTH)}`,
    rateLimit: (key) => `${prefix}rl:${checkKeyPart('rate limit key', key, MAX_RATE_LIMIT_KEY_LENGTH)}`,
  };
}

/** True when `id` can name a task or writ in a key; no stored record can have any other id. */
export function isValidKeyId(id: string): boolean {
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_ID_LENGTH && !FORBIDDEN.test(id);
}

function checkKeyPart(what: string, value: string, maxLength: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength || FORBIDDEN.test(value)) {
    throw new InvalidStoreInputError(
      `${what} must be 1-${maxLength} characters without braces, whitespace or control characters`,
    );
  }
  return value;
}
