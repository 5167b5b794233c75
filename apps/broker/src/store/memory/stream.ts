import type { Clock } from '../../shared/clock.js';
import { compareStreamIds } from '../shared/revocation-records.js';

export interface StreamEntry {
  id: string;
  value: string;
}

/**
 * A Redis Stream of single-field entries: ids `<ms>-<seq>` that only grow, an exact length bound,
 * and the highest id ever trimmed so readers can see a gap.
 */
export function createMemoryStream(clock: Clock, maxLen: number) {
  let entries: StreamEntry[] = [];
  let lastMs = 0;
  let lastSeq = 0;
  let maxDeletedId = '0-0';
  // Wakes pending waitAfter calls; each removes itself when it settles.
  const listeners = new Set<() => void>();

  return {
    append(value: string): string {
      const now = clock.nowMs();
      if (now > lastMs) {
        lastMs = now;
        lastSeq = 0;
      } else {
        lastSeq += 1;
      }
      const id = `${lastMs}-${lastSeq}`;
      entries.push({ id, value });
      if (entries.length > maxLen) {
        const trimmed = entries.slice(0, entries.length - maxLen);
        entries = entries.slice(-maxLen);
        maxDeletedId = trimmed.at(-1)?.id ?? maxDeletedId;
      }
      for (const wake of [...listeners]) wake();
      return id;
    },

    /** Oldest first. */
    entries: (): readonly StreamEntry[] => entries,

    /** Entries with an id strictly greater than `afterId`, oldest first, at most `count`. */
    after(afterId: string, count: number): StreamEntry[] {
      return entries.filter((entry) => compareStreamIds(entry.id, afterId) > 0).slice(0, count);
    },

    /** Entries with an id strictly lower than `beforeId` (all when undefined), newest first, at most `count`. */
    before(beforeId: string | undefined, count: number): StreamEntry[] {
      const older =
        beforeId === undefined
          ? entries
          : entries.filter((entry) => compareStreamIds(entry.id, beforeId) < 0);
      return count <= 0 ? [] : older.slice(-count).reverse();
    },

    /**
     * True once an entry after `afterId` exists (at once if one does); false after `timeoutMs`
     * or when `signal` aborts. The in-process counterpart of XREAD BLOCK.
     */
    waitAfter(afterId: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
      const hasNewer = () => compareStreamIds(entries.at(-1)?.id ?? '0-0', afterId) > 0;
      if (hasNewer()) return Promise.resolve(true);
      if (signal?.aborted) return Promise.resolve(false);
      return new Promise((resolve) => {
        const settle = (value: boolean) => {
          clearTimeout(timer);
          listeners.delete(onAppend);
          signal?.removeEventListener('abort', onAbort);
          resolve(value);
        };
        const onAppend = () => {
          if (hasNewer()) settle(true);
        };
        const onAbort = () => settle(false);
        const timer = setTimeout(() => settle(false), timeoutMs);
        listeners.add(onAppend);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },

    lastId: (): string => entries.at(-1)?.id ?? '0-0',
    maxDeletedId: (): string => maxDeletedId,
  };
}

export type MemoryStream = ReturnType<typeof createMemoryStream>;
