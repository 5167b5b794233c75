import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { RevocationEntry, RevocationPage, RevocationStore } from '../store/index.js';
import { createRevocationFeed, type FeedEvent, type FeedSubscription, type RevocationFeed } from './feed.js';
import { compareStreamIds } from './stream-id.js';

/** A bounded, array-backed feed with the port's semantics: the feed logic, not a Redis stand-in. */
function createArrayFeedStore(maxLen = 1000) {
  const entries: RevocationEntry[] = [];
  let trimmedUpTo: string | undefined;
  let seq = 0;
  const wakers = new Set<() => void>();
  const state = {
    reads: 0,
    waits: 0,
    down: false,
    beforeRead: undefined as (() => void) | undefined,
    beforeSnapshot: undefined as (() => void) | undefined,
  };
  const hasAfter = (afterId: string) => compareStreamIds(entries.at(-1)?.id ?? '0-0', afterId) > 0;
  const store: Pick<RevocationStore, 'readRevocations' | 'revocationSnapshot' | 'waitForRevocations'> = {
    async readRevocations(afterId, count): Promise<RevocationPage> {
      state.reads++;
      state.beforeRead?.();
      if (state.down) throw new Error('store down');
      const gap = trimmedUpTo !== undefined && compareStreamIds(trimmedUpTo, afterId) > 0;
      const ahead = compareStreamIds(afterId, entries.at(-1)?.id ?? '0-0') > 0;
      return {
        entries: entries.filter((e) => compareStreamIds(e.id, afterId) > 0).slice(0, count),
        gap,
        ahead,
      };
    },
    async waitForRevocations(afterId, timeoutMs, signal) {
      state.waits++;
      if (state.down) throw new Error('store down');
      if (hasAfter(afterId)) return true;
      return new Promise<boolean>((resolve) => {
        const settle = (value: boolean) => {
          clearTimeout(timer);
          wakers.delete(wake);
          signal?.removeEventListener('abort', onAbort);
          resolve(value);
        };
        const wake = () => hasAfter(afterId) && settle(true);
        const onAbort = () => settle(false);
        const timer = setTimeout(onAbort, timeoutMs);
        wakers.add(wake);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    async revocationSnapshot() {
      state.beforeSnapshot?.();
      if (state.down) throw new Error('store down');
      return {
        last_id: entries.at(-1)?.id ?? '0-0',
        generation: 1,
        all_below: 0,
        principals: {},
        issuers: {},
        tasks: [],
        writs: [],
      };
    },
  };
  const append = (n = 1) => {
    for (let i = 0; i < n; i++) {
      seq++;
      entries.push({
        id: `1000-${seq}`,
        target: { kind: 'task', task_id: `t${seq}` },
        reason: 'test',
        time: 1,
      });
      if (entries.length > maxLen) trimmedUpTo = entries.shift()?.id;
    }
    for (const wake of [...wakers]) wake();
  };
  return { store, state, append, pendingWaits: () => wakers.size };
}

async function take(sub: FeedSubscription, n: number, waitMs = 1000): Promise<FeedEvent[]> {
  const events: FeedEvent[] = [];
  while (events.length < n) {
    const event = await sub.next(waitMs);
    if (event.type === 'idle') break;
    events.push(event);
    if (event.type !== 'entry') break;
  }
  return events;
}
const ids = (events: FeedEvent[]) => events.map((e) => (e.type === 'entry' ? e.entry.id : e.type));
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('createRevocationFeed', () => {
  let feed: RevocationFeed | undefined;
  afterEach(() => feed?.close());
  const start = (
    store: Pick<RevocationStore, 'readRevocations' | 'revocationSnapshot' | 'waitForRevocations'>,
    opts = {},
  ) => {
    feed = createRevocationFeed({ store, logger: pino({ level: 'silent' }), pollIntervalMs: 10, ...opts });
    return feed;
  };

  it('replays retained entries after the cursor, then delivers live ones in order', async () => {
    const { store, append } = createArrayFeedStore();
    append(3);
    const sub = start(store, { pageSize: 2 }).subscribe('1000-1');
    expect(ids(await take(sub, 2))).toEqual(['1000-2', '1000-3']);
    append(2);
    expect(ids(await take(sub, 2))).toEqual(['1000-4', '1000-5']);
    expect((await sub.next(30)).type).toBe('idle');
  });

  it('loses no entry appended while a subscriber catches up', async () => {
    const { store, state, append } = createArrayFeedStore();
    append(5);
    let reads = 0;
    state.beforeRead = () => {
      if (++reads <= 6) append(1);
    };
    // The shared follower starts at the feed's head, which has moved past the subscriber's last read.
    state.beforeSnapshot = () => append(2);
    const sub = start(store, { pageSize: 2 }).subscribe('0-0');
    const got = ids(await take(sub, 13));
    expect(got).toEqual(Array.from({ length: 13 }, (_, i) => `1000-${i + 1}`));
  });

  it('serves many followers with one read per poll interval', async () => {
    const { store, state, append } = createArrayFeedStore();
    const f = start(store, { pollIntervalMs: 50 });
    const subs = Array.from({ length: 20 }, () => f.subscribe('0-0'));
    await settle(30);
    const before = state.reads;
    await settle(520);
    // ~10 intervals; 20 followers reading on their own would be ~200 reads.
    expect(state.reads - before).toBeGreaterThanOrEqual(5);
    expect(state.reads - before).toBeLessThanOrEqual(14);
    append(1);
    for (const sub of subs) expect(ids(await take(sub, 1))).toEqual(['1000-1']);
  });

  it('wakes followers on a new entry instead of waiting for the interval', async () => {
    const { store, state, append } = createArrayFeedStore();
    const f = start(store, { pollIntervalMs: 60_000 });
    const subs = Array.from({ length: 10 }, () => f.subscribe('0-0'));
    await settle(30);
    const reads = state.reads;
    await settle(100);
    // Idle: blocked in one wait, no read at all.
    expect(state.reads).toBe(reads);
    const sent = Date.now();
    append(1);
    for (const sub of subs) expect(ids(await take(sub, 1))).toEqual(['1000-1']);
    expect(Date.now() - sent).toBeLessThan(200);
  });

  it('aborts its wait when the last follower leaves', async () => {
    const { store, pendingWaits } = createArrayFeedStore();
    const f = start(store, { pollIntervalMs: 60_000 });
    const sub = f.subscribe('0-0');
    await settle(30);
    expect(pendingWaits()).toBe(1);
    sub.unsubscribe();
    expect(pendingWaits()).toBe(0);
  });

  it('tells a subscriber whose cursor was trimmed to resync, before any entry', async () => {
    const { store, append } = createArrayFeedStore(3);
    append(5);
    const sub = start(store).subscribe('1000-1');
    expect(await take(sub, 5)).toEqual([{ type: 'resync', reason: 'gap' }]);
    expect((await sub.next(10)).type).toBe('closed');
  });

  it('tells live followers to resync when entries were trimmed between two polls', async () => {
    const { store, append } = createArrayFeedStore(3);
    const f = start(store, { pollIntervalMs: 100 });
    const sub = f.subscribe('0-0');
    await settle(50);
    append(10);
    expect(await take(sub, 20, 500)).toEqual([{ type: 'resync', reason: 'gap' }]);
    expect(f.subscriberCount()).toBe(0);
  });

  it('ends followers with unavailable when the store fails, and on catch-up', async () => {
    const { store, state, append } = createArrayFeedStore();
    append(1);
    const f = start(store);
    const sub = f.subscribe('0-0');
    expect(ids(await take(sub, 1))).toEqual(['1000-1']);
    state.down = true;
    expect(ids(await take(sub, 1))).toEqual(['unavailable']);
    expect(ids(await take(f.subscribe('0-0'), 1))).toEqual(['unavailable']);
  });

  it('ends a reader that falls too far behind with resync', async () => {
    const { store, append } = createArrayFeedStore();
    append(10);
    const sub = start(store, { maxQueued: 4 }).subscribe('0-0');
    await settle(30);
    expect(await take(sub, 10)).toEqual([{ type: 'resync', reason: 'slow_consumer' }]);
  });

  it('stops reading when the last follower leaves, and close() ends everyone', async () => {
    const { store, state } = createArrayFeedStore();
    const f = start(store);
    const a = f.subscribe('0-0');
    await settle(40);
    a.unsubscribe();
    expect(await a.next(10)).toEqual({ type: 'closed' });
    const reads = state.reads;
    await settle(60);
    expect(state.reads).toBe(reads);
    const b = f.subscribe('0-0');
    const pending = b.next(5000);
    f.close();
    expect(await pending).toEqual({ type: 'closed' });
    expect(await f.subscribe('0-0').next(10)).toEqual({ type: 'closed' });
  });

  it('refuses a cursor that is not a stream id', () => {
    const { store } = createArrayFeedStore();
    expect(() => start(store).subscribe('$')).toThrow(TypeError);
  });
});
