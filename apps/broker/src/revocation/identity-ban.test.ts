import { describe, expect, it } from 'vitest';
import { isBannedIdentity, markRetentionSeconds } from './identity-ban.js';

const T = 1_800_000_000_500; // a revocation at …000.5 s
const identity = (issuedAt?: number) => ({
  maxTokenAgeSeconds: 3630,
  ...(issuedAt === undefined ? {} : { issuedAt }),
});

describe('isBannedIdentity', () => {
  it('refuses tokens issued at or before the revocation second, accepts later ones', () => {
    expect(isBannedIdentity(identity(1_799_999_000), T, T + 1)).toBe(true);
    expect(isBannedIdentity(identity(1_800_000_000), T, T + 1)).toBe(true);
    expect(isBannedIdentity(identity(1_800_000_001), T, T + 1)).toBe(false);
  });

  it('without iat, refuses for the whole accepted token age after the revocation', () => {
    expect(isBannedIdentity(identity(), T, T)).toBe(true);
    expect(isBannedIdentity(identity(), T, T + 3_630_000)).toBe(true);
    expect(isBannedIdentity(identity(), T, T + 3_630_001)).toBe(false);
  });

  it('bans nothing without a revocation', () => {
    expect(isBannedIdentity(identity(1), null, T)).toBe(false);
    expect(isBannedIdentity(identity(), null, T)).toBe(false);
  });
});

describe('markRetentionSeconds', () => {
  it('keeps a mark until its writs expired and its banned tokens are too old', () => {
    expect(markRetentionSeconds({ maxWritTtlSeconds: 3600, skewSeconds: 60, maxTokenAgeSeconds: 3630 })).toBe(
      3660,
    );
    expect(
      markRetentionSeconds({ maxWritTtlSeconds: 300, skewSeconds: 60, maxTokenAgeSeconds: 86_430 }),
    ).toBe(86_430);
  });
});
