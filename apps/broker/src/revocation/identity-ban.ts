import type { WorkloadIdentity } from '../identity/index.js';

/** What the ban rule needs of a verified identity; `issuedAt` may be missing for some issuers. */
export type BannableIdentity = Pick<WorkloadIdentity, 'maxTokenAgeSeconds'> & { issuedAt?: number };

/**
 * Whether a principal / issuer / `all` revocation made at `bannedSinceMs` refuses this identity
 * token (docs/revocation.md, "Identity tokens after a revocation"). A revocation is also a ban on
 * the identity tokens it covers: a token issued at or before it (by `iat`, whole seconds, so one
 * issued in the same second is refused too) is refused; without `iat` the issue time is unknown,
 * so every such token is refused for the issuer's whole accepted token age after the revocation.
 * Only an identity issued after the revocation gets back in. Foreign tokens carry no generation,
 * so this one order is by clock (the identity issuer's against the broker's; see ADR 0006).
 */
export function isBannedIdentity(
  identity: BannableIdentity,
  bannedSinceMs: number | null,
  nowMs: number,
): boolean {
  if (bannedSinceMs === null) return false;
  if (identity.issuedAt === undefined || !Number.isFinite(identity.issuedAt)) {
    return nowMs <= bannedSinceMs + identity.maxTokenAgeSeconds * 1000;
  }
  return identity.issuedAt <= Math.floor(bannedSinceMs / 1000);
}

/**
 * How long after a principal or issuer revocation its mark must be kept (s): until every writ it
 * revokes has expired (the longest writ life plus the verifiers' skew allowance) and every
 * identity token it bans is too old to be accepted (the longest accepted token age).
 */
export function markRetentionSeconds(settings: {
  maxWritTtlSeconds: number;
  skewSeconds: number;
  maxTokenAgeSeconds: number;
}): number {
  return Math.max(settings.maxWritTtlSeconds + settings.skewSeconds, settings.maxTokenAgeSeconds);
}
