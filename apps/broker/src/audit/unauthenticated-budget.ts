import { addressBucket } from '../shared/address-bucket.js';
import type { Clock } from '../shared/clock.js';

export interface UnauthenticatedBudgetOptions {
  clock: Clock;
  /** Events per source and window that may reach the store. */
  limit?: number;
  windowMs?: number;
  /** Sources remembered at once; the least recently seen is forgotten first. */
  maxSources?: number;
  /** Events per window across all sources: rotating addresses cannot multiply the budget. */
  globalLimit?: number;
}

/** The `source` of the one summary for events refused by the global cap, whatever their source. */
export const ALL_SOURCES = '*';

export interface SuppressedCount {
  /** The source (address bucket) over its own budget, or ALL_SOURCES for the global cap. */
  source: string;
  suppressed: number;
}

/**
 * Per-source fixed windows for audit events written before any credential was verified, so
 * anyone can cause them: without a bound, cheap garbage requests push real evidence out of the
 * bounded audit stream. In process on purpose: a limiter must not cost a store round trip.
 */
export interface UnauthenticatedBudget {
  /** Counts one event from `source`; false when its window's budget is spent (do not store it). */
  take(source: string): boolean;
  /** Counts of suppressed events whose window has ended (or was forgotten); each returned once. */
  drainSuppressed(): SuppressedCount[];
}

interface SourceWindow {
  start: number;
  taken: number;
  suppressed: number;
}

export function createUnauthenticatedBudget(options: UnauthenticatedBudgetOptions): UnauthenticatedBudget {
  const { clock, limit = 60, windowMs = 60_000, maxSources = 10_000, globalLimit = 1000 } = options;
  // Events refused by the global cap are counted once, not per source: otherwise a flood from many
  // addresses would turn into one summary per address, flushing the stream all the same.
  let global = { start: 0, taken: 0, suppressed: 0 };
  // Map order is insertion order: re-inserting on every use keeps the least recently seen first.
  const windows = new Map<string, SourceWindow>();
  // Sources with suppressed events in their current window → that window's end.
  const pending = new Map<string, number>();
  const ended: SuppressedCount[] = [];

  const settle = (source: string, window: SourceWindow) => {
    if (window.suppressed > 0) ended.push({ source, suppressed: window.suppressed });
    window.suppressed = 0;
    pending.delete(source);
  };

  const forgetLeastRecent = () => {
    const oldest = windows.entries().next().value;
    if (!oldest) return;
    windows.delete(oldest[0]);
    settle(oldest[0], oldest[1]);
  };

  return {
    take(rawSource) {
      const source = addressBucket(rawSource);
      const now = clock.nowMs();
      if (now >= global.start + windowMs) {
        if (global.suppressed > 0) ended.push({ source: ALL_SOURCES, suppressed: global.suppressed });
        global = { start: now, taken: 0, suppressed: 0 };
      }
      let window = windows.get(source);
      windows.delete(source);
      if (!window || now >= window.start + windowMs) {
        if (window) settle(source, window);
        window = { start: now, taken: 0, suppressed: 0 };
      }
      windows.set(source, window);
      if (windows.size > maxSources) forgetLeastRecent();
      if (window.taken < limit && global.taken < globalLimit) {
        window.taken += 1;
        global.taken += 1;
        return true;
      }
      if (window.taken < limit) {
        global.suppressed += 1;
        return false;
      }
      if (window.suppressed === 0) pending.set(source, window.start + windowMs);
      window.suppressed += 1;
      return false;
    },
    drainSuppressed() {
      const now = clock.nowMs();
      if (global.suppressed > 0 && now >= global.start + windowMs) {
        ended.push({ source: ALL_SOURCES, suppressed: global.suppressed });
        global.suppressed = 0;
      }
      for (const [source, end] of pending) {
        // Pending is in first-suppression order, close to end order: a count waits at most one more window.
        if (now < end) break;
        const window = windows.get(source);
        if (window) settle(source, window);
        else pending.delete(source);
      }
      return ended.splice(0);
    },
  };
}
