import type { Clock } from '../shared/clock.js';

type Entry =
  | { kind: 'hash'; fields: Map<string, string>; expireAtMs?: number }
  | { kind: 'set'; members: Set<string>; expireAtMs?: number }
  | { kind: 'counter'; value: number; expireAtMs?: number };

/** Every key's content in a canonical form: hashes as objects, sets sorted, counters as text. */
export type StoreSnapshot = Record<string, string | string[] | Record<string, string>>;

/**
 * The few Redis data types the memory store needs, under the same key names, expiring by the
 * injected clock exactly as Redis expires by its own.
 */
export function createMemoryKeyspace(clock: Clock) {
  const entries = new Map<string, Entry>();

  const lookup = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry?.expireAtMs !== undefined && entry.expireAtMs <= clock.nowMs()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  return {
    exists: (key: string): boolean => lookup(key) !== undefined,

    hashFields(key: string): Record<string, string> | undefined {
      const entry = lookup(key);
      return entry?.kind === 'hash' ? Object.fromEntries(entry.fields) : undefined;
    },

    setHash(key: string, pairs: string[]): void {
      const entry = lookup(key);
      const fields = entry?.kind === 'hash' ? entry.fields : new Map<string, string>();
      for (let i = 0; i + 1 < pairs.length; i += 2) fields.set(pairs[i]!, pairs[i + 1]!);
      if (entry?.kind !== 'hash') entries.set(key, { kind: 'hash', fields });
    },

    addToSet(key: string, member: string): void {
      const entry = lookup(key);
      if (entry?.kind === 'set') entry.members.add(member);
      else entries.set(key, { kind: 'set', members: new Set([member]) });
    },

    /** INCR, then a TTL only if the key has none (EXPIRE NX); returns the count and ms left. */
    increment(key: string, ttlMs: number): { count: number; ttlMs: number } {
      const now = clock.nowMs();
      let entry = lookup(key);
      if (entry?.kind !== 'counter') {
        entry = { kind: 'counter', value: 0 };
        entries.set(key, entry);
      }
      entry.value += 1;
      entry.expireAtMs ??= now + ttlMs;
      return { count: entry.value, ttlMs: entry.expireAtMs - now };
    },

    /** EXPIREAT: epoch seconds, like Redis. */
    expireAt(key: string, epochSeconds: number): void {
      const entry = lookup(key);
      if (entry) entry.expireAtMs = epochSeconds * 1000;
    },

    snapshot(): StoreSnapshot {
      const result: StoreSnapshot = {};
      for (const key of [...entries.keys()].sort()) {
        const entry = lookup(key);
        if (entry?.kind === 'hash') result[key] = Object.fromEntries([...entry.fields].sort());
        else if (entry?.kind === 'set') result[key] = [...entry.members].sort();
        else if (entry?.kind === 'counter') result[key] = String(entry.value);
      }
      return result;
    },
  };
}
