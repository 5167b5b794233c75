import { temporarilyUnavailable } from '../errors.js';
import { type RevokeInput, type RevokeResult, StoreUnavailableError } from '../store/index.js';
import type { RevocationDeps } from './revocation-deps.js';

export const NOT_CONFIRMED =
  'the revocation was NOT confirmed (the store did not acknowledge it durably); it is safe to retry';

/** Runs one step of a revocation; a store failure becomes 503 saying it did not happen. */
export async function unlessStoreFails<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof StoreUnavailableError) throw temporarilyUnavailable(NOT_CONFIRMED);
    throw err;
  }
}

/**
 * store.revoke applies the revocation, its feed entry and its audit event in one step and returns
 * only once they are durable (AOF fsync / WAIT). Any store failure means the caller must be told
 * it did not happen: revocation is idempotent, so retrying is always safe.
 */
export async function confirmRevocation(
  deps: Pick<RevocationDeps, 'store' | 'audit'>,
  input: RevokeInput,
): Promise<RevokeResult> {
  const result = await unlessStoreFails(() => deps.store.revoke(input));
  deps.audit.log(input.audit);
  return result;
}
