import { toCount } from './liveness.js';

/**
 * The latest of the stored revocation times (epoch ms) of a principal, its issuer and `all`; null
 * when none is set. A malformed value is StoreUnavailableError: a ban that cannot be read is
 * never read as "no ban".
 */
export function latestBan(values: readonly unknown[]): number | null {
  let latest: number | null = null;
  for (const value of values) {
    const at = toCount(value);
    if (at !== null && (latest === null || at > latest)) latest = at;
  }
  return latest;
}
