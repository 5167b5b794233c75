import type { WritClaims } from '@writ/claims';

/**
 * Verified writs by their exact token string — never by `jti`, which a forger can copy into a
 * token of their own. Bounded (oldest out first); an entry is dropped when its writ expires or is
 * found revoked. Only the signature and claim checks are cached: time and revocation are judged
 * again on every hit.
 */
export class VerifiedWritCache {
  readonly #entries = new Map<string, WritClaims>();
  readonly #max: number;

  constructor(maxEntries: number) {
    this.#max = Math.max(0, Math.floor(maxEntries));
  }

  get(token: string): WritClaims | undefined {
    return this.#entries.get(token);
  }

  set(token: string, claims: WritClaims): void {
    if (this.#max === 0) return;
    if (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(token, Object.freeze(claims));
  }

  delete(token: string): void {
    this.#entries.delete(token);
  }

  /** Drops every entry `dead` says is expired or revoked (after a revocation lands). */
  sweep(dead: (claims: WritClaims) => boolean): void {
    for (const [token, claims] of this.#entries) if (dead(claims)) this.#entries.delete(token);
  }

  get size(): number {
    return this.#entries.size;
  }
}
