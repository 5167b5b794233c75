import type { WritLivenessInput } from '../port/index.js';
import { InvalidStoreInputError, StoreUnavailableError } from './errors.js';
import { isValidKeyId } from './keys.js';

// The rules themselves live in @writ/claims, shared with @writ/verifier: a downstream that
// follows the revocation feed decides with exactly the rules the stores apply here.
export { decideLiveness, isWritItselfLive, type LivenessFacts, type TaskState } from '@writ/claims';

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
