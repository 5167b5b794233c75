import { issuersOf, principalsOf } from './principals.js';
import type { WritClaims } from './writ-claims.js';

// The liveness rules of docs/revocation.md, in one place: the broker's stores decide with them
// from what they read, and @writ/verifier decides with them from its copy of the revocation feed.
// Two copies of these rules would drift, and a drift here is a revoked writ accepted somewhere.

/** Why a writ is not live. */
export type LivenessReason =
  | 'writ_unknown'
  | 'writ_revoked'
  | 'task_not_live'
  | 'ancestor_not_live'
  | 'revoked_by_generation';

/** An allow-list answer: unknown state is never live. */
export type LivenessResult = { live: true } | { live: false; reason: LivenessReason };

/** A task as the rules see it: its status and when it expires (epoch seconds); null when unknown. */
export interface TaskState {
  status: string | null;
  expires_at: string | number | null;
}

/** What is known about one writ; `null` where a record or field is absent. */
export interface LivenessFacts {
  /** Epoch seconds. */
  now: number;
  /** The writ record exists (a verifier, which holds no records, passes true for a signed writ). */
  writKnown: boolean;
  /** The writ's jti is revoked. */
  writRevoked: boolean;
  task: TaskState;
  /** The ancestors of `task.chain`, in any order. */
  ancestors: TaskState[];
  /** The writ's `gen`. */
  gen: number;
  /** revoked `all` and the below_gen of every principal and issuer of the writ (null when none). */
  belowGens: Array<number | null>;
}

/**
 * True when a generation revocation covers a writ issued under `gen`: a revocation that bumped the
 * generation to G revokes every writ with `gen` < G, and nothing issued since (docs/adr/0006).
 *
 * @example
 * ```ts
 * coveredByGeneration(3, [null, 4]); // true: a principal was revoked below generation 4
 * coveredByGeneration(4, [null, 4]); // false: issued after that revocation
 * ```
 */
export function coveredByGeneration(gen: number, belowGens: ReadonlyArray<number | null>): boolean {
  return belowGens.some((below) => below !== null && gen < below);
}

/**
 * The allow-list: live only if the writ is known and not revoked, its task and every ancestor
 * exist, are live and unexpired, and no generation revocation covers it. The broker's
 * authorize-action Lua script applies the same rules in the same order.
 *
 * @example
 * ```ts
 * decideLiveness({
 *   now: 1_767_225_600, writKnown: true, writRevoked: false,
 *   task: { status: 'revoked', expires_at: 1_767_226_200 }, ancestors: [], gen: 1, belowGens: [null],
 * }); // { live: false, reason: 'task_not_live' }
 * ```
 */
export function decideLiveness(facts: LivenessFacts): LivenessResult {
  if (!facts.writKnown) return { live: false, reason: 'writ_unknown' };
  if (facts.writRevoked) return { live: false, reason: 'writ_revoked' };
  if (!isTaskLive(facts.task, facts.now)) return { live: false, reason: 'task_not_live' };
  if (!facts.ancestors.every((ancestor) => isTaskLive(ancestor, facts.now))) {
    return { live: false, reason: 'ancestor_not_live' };
  }
  if (coveredByGeneration(facts.gen, facts.belowGens))
    return { live: false, reason: 'revoked_by_generation' };
  return { live: true };
}

/**
 * The writ's own part of the allow-list — its record, its jti revocation, every generation
 * revocation — without its tasks.
 *
 * @example
 * ```ts
 * isWritItselfLive({ writKnown: true, writRevoked: false, gen: 2, belowGens: [1] }); // true
 * ```
 */
export function isWritItselfLive(
  facts: Pick<LivenessFacts, 'writKnown' | 'writRevoked' | 'gen' | 'belowGens'>,
): boolean {
  return facts.writKnown && !facts.writRevoked && !coveredByGeneration(facts.gen, facts.belowGens);
}

/**
 * A task is live when its status is `live` and it has not expired.
 *
 * @example
 * ```ts
 * isTaskLive({ status: 'live', expires_at: 200 }, 100); // true
 * isTaskLive({ status: 'completed', expires_at: 200 }, 100); // false
 * ```
 */
export function isTaskLive(task: TaskState, now: number): boolean {
  const expiresAt = Number(task.expires_at);
  return task.status === 'live' && task.expires_at !== null && expiresAt > now;
}

/**
 * The revocations a verifier holds, as the broker publishes them (GET /v1/revocations and its
 * feed): ended tasks and revoked jtis with their status, and the generation marks.
 */
export interface RevocationList {
  /** Ended tasks: task id → status (`revoked`, `completed`, `quarantined`). */
  tasks: Pick<ReadonlyMap<string, string>, 'get'>;
  /** Revoked writ ids. */
  writs: Pick<ReadonlySet<string>, 'has'>;
  /** Writs with `gen` below this are revoked (`all`); 0 or null when never revoked. */
  allBelow: number | null;
  /** Principal → below_gen. */
  principals: Pick<ReadonlyMap<string, number>, 'get'>;
  /** Issuer id (`spiffe:<td>`, `oidc:<name>`) → below_gen. */
  issuers: Pick<ReadonlyMap<string, number>, 'get'>;
}

/**
 * Decides a signed, unexpired writ's liveness from a revocation list with the same rules the
 * broker applies to its store: the writ is known (its signature proves it was issued) and a task
 * is live unless the list names it as ended. Expiry is the writ's own `exp`, which the caller
 * has checked (a writ never outlives its task), so a task's expiry never decides here.
 *
 * @example
 * ```ts
 * const list = { tasks: new Map([[claims.task.id, 'revoked']]), writs: new Set<string>(),
 *   allBelow: null, principals: new Map(), issuers: new Map() };
 * decideLivenessFromList(list, claims, Math.floor(Date.now() / 1000));
 * // { live: false, reason: 'task_not_live' }
 * ```
 */
export function decideLivenessFromList(
  list: RevocationList,
  claims: WritClaims,
  now: number,
): LivenessResult {
  const taskState = (id: string): TaskState => ({
    status: list.tasks.get(id) ?? 'live',
    expires_at: Number.POSITIVE_INFINITY,
  });
  return decideLiveness({
    now,
    writKnown: true,
    writRevoked: list.writs.has(claims.jti),
    task: taskState(claims.task.id),
    ancestors: claims.task.chain.map(taskState),
    gen: claims.gen,
    belowGens: [
      list.allBelow,
      ...principalsOf(claims).map((p) => list.principals.get(p) ?? null),
      ...issuersOf(claims).map((i) => list.issuers.get(i) ?? null),
    ],
  });
}
