import type { Clock } from '../../shared/clock.js';

type Entry =
  | { kind: 'hash'; fields: Map<string, string>; expireAtMs?: number }
  | { kind: 'set'; members: Set<string>; expireAtMs?: number }
  | { kind: 'counter'; value: number; expireAtMs?: number }
  | { kind: 'string'; value: string; expireAtMs?: number }
  // `min`: a lower bound of the scores (undefined: not known), so a prune can tell in O(1) that
  // nothing is old enough.
  | { kind: 'zset'; scores: Map<string, number>; min?: number | undefined; expireAtMs?: number };

/**
 * Every key's content in a canonical form: hashes as objects, sets sorted, counters and strings as
 * text, sorted sets as member → score text, streams as their entries' values.
 */
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
      for (let i = 0; i + 1 < pairs.length; i += 2) fields.set(pairs[i] as string, pairs[i + 1] as string);
      if (entry?.kind !== 'hash') entries.set(key, { kind: 'hash', fields });
    },

    hashIncrement(key: string, field: string, by: number): number {
      const entry = lookup(key);
      const fields = entry?.kind === 'hash' ? entry.fields : new Map<string, string>();
      const value = Number(fields.get(field) ?? '0') + by;
      fields.set(field, String(value));
      if (entry?.kind !== 'hash') entries.set(key, { kind: 'hash', fields });
      return value;
    },

    setMembers(key: string): string[] {
      const entry = lookup(key);
      return entry?.kind === 'set' ? [...entry.members] : [];
    },

    getString(key: string): string | undefined {
      const entry = lookup(key);
      return entry?.kind === 'string' ? entry.value : undefined;
    },

    setString(key: string, value: string): void {
      entries.set(key, { kind: 'string', value });
    },

    /** ZADD: member → score. */
    addToSortedSet(key: string, member: string, score: number): void {
      const entry = lookup(key);
      if (entry?.kind === 'zset') {
        entry.scores.set(member, score);
        if (entry.min !== undefined) entry.min = Math.min(entry.min, score);
      } else entries.set(key, { kind: 'zset', scores: new Map([[member, score]]), min: score });
    },

    sortedSetScore(key: string, member: string): number | undefined {
      const entry = lookup(key);
      return entry?.kind === 'zset' ? entry.scores.get(member) : undefined;
    },

    /** Members and scores, highest score first, ties in reverse byte order (ZREVRANGEBYSCORE). */
    sortedSetDescending(key: string): Array<[string, number]> {
      const entry = lookup(key);
      if (entry?.kind !== 'zset') return [];
      return [...entry.scores].sort(
        ([aMember, aScore], [bMember, bScore]) =>
          bScore - aScore || Buffer.compare(Buffer.from(bMember), Buffer.from(aMember)),
      );
    },

    /**
     * ZRANGEBYSCORE key -inf (below LIMIT 0 limit: the `limit` lowest members scored under `below`,
     * lowest first, ties in byte order. One pass that keeps only `limit` candidates, so pruning on
     * every commit does not sort the whole index (the dev broker holds every task it issued).
     */
    sortedSetLowest(key: string, below: number, limit: number): Array<[string, number]> {
      const entry = lookup(key);
      if (entry?.kind !== 'zset' || limit <= 0) return [];
      if (entry.min === undefined) {
        let min = Number.POSITIVE_INFINITY;
        for (const score of entry.scores.values()) if (score < min) min = score;
        entry.min = min;
      }
      if (entry.min >= below) return [];
      const lowest: Array<[string, number]> = [];
      const before = ([am, as]: [string, number], [bm, bs]: [string, number]) =>
        as < bs || (as === bs && Buffer.compare(Buffer.from(am), Buffer.from(bm)) < 0);
      for (const candidate of entry.scores) {
        if (candidate[1] >= below) continue;
        const last = lowest.at(-1);
        if (lowest.length === limit && last && !before(candidate, last)) continue;
        let at = lowest.length;
        while (at > 0 && before(candidate, lowest[at - 1] as [string, number])) at--;
        lowest.splice(at, 0, candidate);
        if (lowest.length > limit) lowest.pop();
      }
      return lowest;
    },

    /** ZREM / ZREMRANGEBYSCORE: a key left empty disappears, as in Redis. */
    removeFromSortedSet(key: string, shouldRemove: (member: string, score: number) => boolean): void {
      const entry = lookup(key);
      if (entry?.kind !== 'zset') return;
      for (const [member, score] of entry.scores)
        if (shouldRemove(member, score)) {
          entry.scores.delete(member);
          entry.min = undefined;
        }
      if (entry.scores.size === 0) entries.delete(key);
    },

    removeHashField(key: string, field: string): void {
      const entry = lookup(key);
      if (entry?.kind !== 'hash') return;
      entry.fields.delete(field);
      if (entry.fields.size === 0) entries.delete(key);
    },

    /** Epoch seconds of the key's expiry, or undefined when it has none (or does not exist). */
    expireTime(key: string): number | undefined {
      const expireAtMs = lookup(key)?.expireAtMs;
      return expireAtMs === undefined ? undefined : Math.floor(expireAtMs / 1000);
    },

    /** DEL */
    deleteKey(key: string): void {
      entries.delete(key);
    },

    /** SREM; an emptied set is gone, as in Redis. */
    removeFromSet(key: string, member: string): void {
      const entry = lookup(key);
      if (entry?.kind !== 'set') return;
      entry.members.delete(member);
      if (entry.members.size === 0) entries.delete(key);
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
        else if (entry?.kind === 'counter' || entry?.kind === 'string') result[key] = String(entry.value);
        else if (entry?.kind === 'zset') {
          result[key] = Object.fromEntries(
            [...entry.scores].map(([member, score]) => [member, String(score)] as const).sort(),
          );
        }
      }
      return result;
    },
  };
}

export type MemoryKeyspace = ReturnType<typeof createMemoryKeyspace>;
