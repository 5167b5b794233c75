import { createHash } from 'node:crypto';

/**
 * Keys that verified recently, by sha256 of the full key, so a busy operator client does not
 * pay argon2 on every call. An entry is only a hint: the caller re-reads the key record and
 * trusts the entry only while the record is active and still holds the hash that verified
 * (a rotation or disable takes effect at once). Sliding: each hit renews the entry, so a busy
 * client never falls back to argon2 (and its gate) while it keeps using its key.
 */
export interface VerifiedKeyEntry {
  id: string;
  hash: string;
}

export interface VerifiedKeyCache {
  get(key: string, nowMs: number): VerifiedKeyEntry | undefined;
  /** Whether `key` verified recently, without renewing it (the early-refusal check). */
  peek(key: string, nowMs: number): boolean;
  set(key: string, entry: VerifiedKeyEntry, nowMs: number): void;
  delete(key: string): void;
}

export function createVerifiedKeyCache(options: { ttlMs: number; maxEntries?: number }): VerifiedKeyCache {
  const { ttlMs, maxEntries = 1024 } = options;
  const entries = new Map<string, VerifiedKeyEntry & { expiresAtMs: number }>();
  const digest = (key: string) => createHash('sha256').update(key).digest('base64url');

  return {
    get(key, nowMs) {
      if (ttlMs <= 0) return undefined;
      const name = digest(key);
      const entry = entries.get(name);
      if (!entry) return undefined;
      if (entry.expiresAtMs <= nowMs) {
        entries.delete(name);
        return undefined;
      }
      entry.expiresAtMs = nowMs + ttlMs;
      return { id: entry.id, hash: entry.hash };
    },
    peek(key, nowMs) {
      if (ttlMs <= 0) return false;
      const entry = entries.get(digest(key));
      return entry !== undefined && entry.expiresAtMs > nowMs;
    },
    set(key, entry, nowMs) {
      if (ttlMs <= 0) return;
      const name = digest(key);
      entries.delete(name);
      entries.set(name, { ...entry, expiresAtMs: nowMs + ttlMs });
      if (entries.size > maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
    },
    delete(key) {
      entries.delete(digest(key));
    },
  };
}
