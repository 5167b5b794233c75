import { InvalidStoreInputError } from './errors.js';

/**
 * Every key lives under this prefix; the version lets a new layout coexist with the old one.
 * v2: short per-task key names, short hash field names, the task's jtis folded into its hash.
 */
export const KEY_PREFIX = 'writ:v2:';

export interface StoreKeys {
  readonly prefix: string;
  /** String: the dataset marker (a random epoch) that proves Redis still holds our data. */
  readonly dataset: string;
  /** Stream: audit events, one JSON `e` field per entry. */
  readonly audit: string;
  /** Hash: one task record, with the jtis issued for it (field `w`, space-separated). */
  task(taskId: string): string;
  /** What comes before and after the id in a task key, for Lua that checks index members. */
  readonly taskKeyParts: readonly [string, string];
  /** Hash: one writ record. */
  writ(taskId: string, jti: string): string;
  /**
   * String: a consumed handoff's jti (docs/handoff.md), kept until the handoff could no longer
   * verify, so a second acceptance of it is refused in the commit that would create a child.
   */
  handoffUsed(jti: string): string;
  /** String counter: one fixed rate-limit window. */
  rateLimit(key: string): string;
  /** String: the task id of a jti, so a revocation by jti finds the writ record. */
  writTask(jti: string): string;
  /** Hash: `total` and `tool:<name>` units of budget used by a task (and its descendants). */
  taskUsage(taskId: string): string;
  /** Set: ids of the tasks delegated from a task. */
  taskChildren(taskId: string): string;
  /** Sorted set: every retained task id, scored by created_at. */
  readonly tasks: string;
  /** Sorted set: the task ids of one principal (as sub or client_id), scored by created_at. */
  principalTasks(principal: string): string;
  /** String integer: the revocation generation G; absent means 1. */
  readonly generation: string;
  /** String integer: every writ with `gen` below it is revoked. */
  readonly revokedAll: string;
  /** Hash: principal → below_gen. */
  readonly revokedPrincipals: string;
  /** Hash: issuer id → below_gen. */
  readonly revokedIssuers: string;
  /** Hash: principal → when its latest revocation happened (epoch ms): the identity-token ban. */
  readonly revokedPrincipalsAt: string;
  /** Hash: issuer id → when its latest revocation happened (epoch ms). */
  readonly revokedIssuersAt: string;
  /** String: when the latest `all` revocation happened (epoch ms). */
  readonly revokedAllAt: string;
  /**
   * Sorted set: `p:<principal>` / `i:<issuer>` → the epoch second after which the mark covers
   * nothing any more (no writ issued before it, no identity token issued before it, can still be
   * accepted); pruned from then on, with its entries in the hashes above.
   */
  readonly revokedMarks: string;
  /** Sorted set: ended task id → until (epoch s). */
  readonly revokedTasks: string;
  /** Hash: ended task id → the status it ended in (kept with revokedTasks, outliving the task hash). */
  readonly revokedTaskStatus: string;
  /** Sorted set: revoked jti → until (epoch s). */
  readonly revokedWrits: string;
  /** Stream: the revocation feed, one JSON `r` field per entry. */
  readonly revocations: string;
  /** String: the highest feed id ever trimmed, so a reader behind it learns of its gap. */
  readonly revocationsTrimmed: string;
  /** Hash: one operator key record. */
  operatorKey(id: string): string;
  /** Set: every operator key id. */
  readonly operatorKeys: string;
  /** String: present once the first admin key was bootstrapped (never removed). */
  readonly operatorKeysBootstrapped: string;
}

const PREFIX_PATTERN = /^[A-Za-z0-9_.:-]{0,63}:$/;
// Braces would break the Cluster hash tag; whitespace and control characters have no place in a key.
const FORBIDDEN = /[{}\s\p{Cc}]/u;
const MAX_ID_LENGTH = 128;
/** SPIFFE IDs and mapped OIDC names are long (`spiffe://td/ns/..`, `oidc:<issuer>:<subject>`). */
export const MAX_PRINCIPAL_LENGTH = 1024;
// Rate limits are keyed by `<purpose>:<principal or address>`: room for any principal the store
// accepts plus its purpose, so a long (valid) principal is never a 500 at the rate limit.
const MAX_RATE_LIMIT_KEY_LENGTH = MAX_PRINCIPAL_LENGTH + 64;

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
    task: (taskId) => `${prefix}t:{${checkKeyPart('task id', taskId, MAX_ID_LENGTH)}}`,
    taskKeyParts: [`${prefix}t:{`, '}'],
    writ: (taskId, jti) =>
      `${prefix}w:{${checkKeyPart('task id', taskId, MAX_ID_LENGTH)}}:${checkKeyPart('jti', jti, MAX_ID_LENGTH)}`,
    rateLimit: (key) => `${prefix}rl:${checkKeyPart('rate limit key', key, MAX_RATE_LIMIT_KEY_LENGTH)}`,
    writTask: (jti) => `${prefix}j:${checkKeyPart('jti', jti, MAX_ID_LENGTH)}`,
    handoffUsed: (jti) => `${prefix}h:${checkKeyPart('handoff jti', jti, MAX_ID_LENGTH)}`,
    taskUsage: (taskId) => `${prefix}t:{${checkKeyPart('task id', taskId, MAX_ID_LENGTH)}}:u`,
    taskChildren: (taskId) => `${prefix}t:{${checkKeyPart('task id', taskId, MAX_ID_LENGTH)}}:c`,
    tasks: `${prefix}tasks`,
    principalTasks: (principal) =>
      `${prefix}pt:${checkKeyPart('principal', principal, MAX_PRINCIPAL_LENGTH)}`,
    generation: `${prefix}gen`,
    revokedAll: `${prefix}revoked:all`,
    revokedPrincipals: `${prefix}revoked:principals`,
    revokedIssuers: `${prefix}revoked:issuers`,
    revokedPrincipalsAt: `${prefix}revoked:principals:at`,
    revokedIssuersAt: `${prefix}revoked:issuers:at`,
    revokedAllAt: `${prefix}revoked:all:at`,
    revokedMarks: `${prefix}revoked:marks`,
    revokedTasks: `${prefix}revoked:tasks`,
    revokedTaskStatus: `${prefix}revoked:task-status`,
    revokedWrits: `${prefix}revoked:writs`,
    revocations: `${prefix}revocations`,
    revocationsTrimmed: `${prefix}revocations:trimmed`,
    operatorKey: (id) => `${prefix}opkey:${checkKeyPart('operator key id', id, MAX_ID_LENGTH)}`,
    operatorKeys: `${prefix}opkeys`,
    operatorKeysBootstrapped: `${prefix}opkeys:bootstrapped`,
  };
}

/** True when `id` can name a task or writ in a key; no stored record can have any other id. */
export function isValidKeyId(id: string): boolean {
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_ID_LENGTH && !FORBIDDEN.test(id);
}

/** True when `principal` can name a principal-tasks index key. */
export function isValidPrincipalKey(principal: string): boolean {
  return (
    typeof principal === 'string' &&
    principal.length > 0 &&
    principal.length <= MAX_PRINCIPAL_LENGTH &&
    !FORBIDDEN.test(principal)
  );
}

function checkKeyPart(what: string, value: string, maxLength: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > maxLength || FORBIDDEN.test(value)) {
    throw new InvalidStoreInputError(
      `${what} must be 1-${maxLength} characters without braces, whitespace or control characters`,
    );
  }
  return value;
}
