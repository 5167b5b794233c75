import type { LivenessResult, WritLivenessInput } from '../port/index.js';
import { InvalidStoreInputError, StoreUnavailableError } from './errors.js';
import { isValidKeyId } from './keys.js';

/** What the store read about one writ; `null` where a record or field is absent. */
export interface LivenessFacts {
  now: number;
  /** The writ record exists. */
  writKnown: boolean;
  /** The writ record is flagged revoked, or its jti is in the revoked-writs set. */
  writRevoked: boolean;
  task: TaskState;
  ancestors: TaskState[];
  gen: number;
  /** revoked:all and the below_gen of every principal and issuer of the writ (null when none). */
  belowGens: Array<number | null>;
}

export interface TaskState {
  status: string | null;
  expires_at: string | number | null;
}

/**
 * The allow-list (issue 4 model): live only if the writ is known and not revoked, its task and
 * every ancestor exist, are live and unexpired, and no generation revocation covers it.
 * The authorize-action Lua script applies the same rules in the same order.
 */
export function decideLiveness(facts: LivenessFacts): LivenessResult {
  if (!facts.writKnown) return { live: false, reason: 'writ_unknown' };
  if (facts.writRevoked) return { live: false, reason: 'writ_revoked' };
  if (!isLive(facts.task, facts.now)) return { live: false, reason: 'task_not_live' };
  if (!facts.ancestors.every((ancestor) => isLive(ancestor, facts.now))) {
    return { live: false, reason: 'ancestor_not_live' };
  }
  if (facts.belowGens.some((below) => below !== null && facts.gen < below)) {
    return { live: false, reason: 'revoked_by_generation' };
  }
  return { live: true };
}

/**
 * The writ's own part of the allow-list — its record, its jti revocation, every generation
 * revocation — which redis/lua/commit-issuance.lua checks of a subject writ being exchanged.
 */
export function isWritItselfLive(
  facts: Pick<LivenessFacts, 'writKnown' | 'writRevoked' | 'gen' | 'belowGens'>,
): boolean {
  return (
    facts.writKnown &&
    !facts.writRevoked &&
    !facts.belowGens.some((below) => below !== null && facts.gen < below)
  );
}

function isLive(task: TaskState, now: number): boolean {
  const expiresAt = Number(task.expires_at);
  return task.status === 'live' && task.expires_at !== null && expiresAt > now;
}

/**
 * False when an id could never have been stored (so the writ is unknown); throws on a malformed
 * generation, which only a caller bug produces.
 */
export function checkLivenessInput(input: WritLivenessInput): boolean {
  if (!Number.isSafeInteger(input.gen) || input.gen < 1) {
    throw new InvalidStoreInputError('gen must be a positive integer');
  }
  if (
    !input.principals.every((p) => typeof p === 'string') ||
    !input.issuers.every((i) => typeof i === 'string')
  ) {
    throw new InvalidStoreInputError('principals and issuers must be strings');
  }
  return isValidKeyId(input.jti) && isValidKeyId(input.task_id) && input.chain.every(isValidKeyId);
}

/** Parses a stored integer (generation, below_gen, usage); absent → null, malformed → unavailable. */
export function toCount(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  const parsed = typeof value === 'number' ? value : /^-?\d{1,15}$/.test(String(value)) ? Number(value) : NaN;
  if (!Number.isSafeInteger(parsed)) throw new StoreUnavailableError('a stored counter is malformed');
  return parsed;
}

/** A stored hash of integers (below_gen per principal, usage per tool). */
export function toCounts(fields: Record<string, string> | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(fields ?? {}).map(([name, value]) => [name, toCount(value) ?? 0]));
}
