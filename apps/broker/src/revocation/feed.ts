import type { Logger } from '../shared/logger.js';
import type { RevocationStore } from '../store/index.js';
import {
  createFeedSubscriber,
  type FeedSubscriber,
  type FeedSubscription,
  type TerminalFeedEvent,
} from './feed-subscriber.js';
import { compareStreamIds, isStreamId } from './stream-id.js';

export type { FeedEvent, FeedSubscription } from './feed-subscriber.js';

export interface RevocationFeedOptions {
  store: Pick<RevocationStore, 'readRevocations' | 'revocationSnapshot' | 'waitForRevocations'>;
  logger: Logger;
  /**
   * The longest the shared follower waits for a new entry before it reads anyway (which re-checks
   * the dataset marker and gaps), and the pause before it retries after a failed read; default 500.
   */
  pollIntervalMs?: number;
  /** Entries per read; default 200. */
  pageSize?: number;
  /** Entries one subscriber may have unread before it is told to resync; default 10000. */
  maxQueued?: number;
}

export interface RevocationFeed {
  /** Entries strictly after `afterId` (a stream id, `0-0` for all retained), then live ones. */
  subscribe(afterId: string): FeedSubscription;
  unsubscribe(subscription: FeedSubscription): void;
  subscriberCount(): number;
  /** Ends every subscription with `closed`; later subscriptions are closed at once. */
  close(): void;
}

/**
 * One follower per broker, however many verifiers follow the feed: each new subscriber catches up
 * from its own cursor with paged reads, then joins the shared follower, so N followers cost one
 * store read per new entry. The shared follower blocks in the store until an entry after its
 * cursor exists (store.waitForRevocations), or at most `pollIntervalMs`, then reads. A subscriber
 * joins only once its cursor has reached the follower's, so no entry falls between the two
 * reads. The follower runs only while someone is subscribed; stopping it aborts its wait.
 */
export function createRevocationFeed(options: RevocationFeedOptions): RevocationFeed {
  const { store, logger } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 500;
  const pageSize = options.pageSize ?? 200;
  const maxQueued = options.maxQueued ?? 10_000;
  const subscribers = new Set<FeedSubscriber>();
  // Newest entry id the shared follower has dispatched; undefined while it is stopped.
  let cursor: string | undefined;
  let starting: Promise<void> | undefined;
  // Aborted when the follower stops: ends its wait, and a read still in flight is dropped.
  let running: AbortController | undefined;
  let closed = false;

  const endLive = (event: TerminalFeedEvent) => {
    for (const sub of [...subscribers]) if (sub.live) sub.end(event);
  };
  const onEnd = (sub: FeedSubscriber) => {
    subscribers.delete(sub);
    if (subscribers.size === 0) stopFollowing();
  };

  function stopFollowing() {
    running?.abort();
    running = undefined;
    cursor = undefined;
  }

  /** Reads every entry after the cursor and hands it to the live subscribers. */
  async function drain(signal: AbortSignal) {
    for (;;) {
      if (cursor === undefined) return;
      const page = await store.readRevocations(cursor, pageSize);
      if (signal.aborted) return;
      if (page.gap) endLive({ type: 'resync', reason: 'gap' });
      // The follower's own cursor came from the store: ahead of the feed means the feed was reset.
      if (page.ahead) endLive({ type: 'resync', reason: 'ahead' });
      for (const entry of page.entries) {
        for (const sub of subscribers) if (sub.live) sub.deliver(entry);
      }
      const last = page.entries.at(-1);
      if (last) cursor = last.id;
      if (page.entries.length < pageSize) return;
    }
  }

  async function follow(signal: AbortSignal) {
    while (!signal.aborted && !closed && cursor !== undefined) {
      try {
        await store.waitForRevocations(cursor, pollIntervalMs, signal);
        if (signal.aborted) return;
        await drain(signal);
      } catch (err) {
        if (signal.aborted) return;
        logger.warn({ err }, 'revocation feed read failed');
        endLive({ type: 'unavailable' });
        // Subscribers still catching up keep it running: pause so a failing store is not hammered.
        await pause(pollIntervalMs, signal);
      }
    }
  }

  /** Starts the shared follower at the feed's newest entry, if it is not running. */
  function ensureFollowing(): Promise<void> {
    if (cursor !== undefined) return Promise.resolve();
    starting ??= store.revocationSnapshot().then(
      (snapshot) => {
        starting = undefined;
        if (closed || subscribers.size === 0 || cursor !== undefined) return;
        cursor = snapshot.last_id;
        running = new AbortController();
        void follow(running.signal);
      },
      (err: unknown) => {
        starting = undefined;
        throw err;
      },
    );
    return starting;
  }

  async function catchUp(sub: FeedSubscriber) {
    try {
      while (!sub.ended) {
        const page = await store.readRevocations(sub.position, pageSize);
        if (sub.ended) return;
        if (page.gap) return sub.end({ type: 'resync', reason: 'gap' });
        // A cursor the feed never issued: following it would skip every entry up to it (fail open).
        if (page.ahead) return sub.end({ type: 'resync', reason: 'ahead' });
        for (const entry of page.entries) sub.deliver(entry);
        if (page.entries.length === pageSize) continue;
        await ensureFollowing();
        if (sub.ended || cursor === undefined) continue;
        // Synchronous from here on: the follower cannot dispatch between this check and joining.
        if (compareStreamIds(sub.position, cursor) >= 0) sub.live = true;
        if (sub.live) return;
      }
    } catch (err) {
      logger.warn({ err }, 'revocation feed catch-up failed');
      sub.end({ type: 'unavailable' });
    }
  }

  return {
    subscribe(afterId) {
      if (!isStreamId(afterId)) throw new TypeError('afterId must be a stream id such as 0-0');
      const sub = createFeedSubscriber(afterId, maxQueued, onEnd);
      if (closed) {
        sub.end({ type: 'closed' });
        return sub;
      }
      subscribers.add(sub);
      void catchUp(sub);
      return sub;
    },
    unsubscribe(subscription) {
      subscription.unsubscribe();
    },
    subscriberCount: () => subscribers.size,
    close() {
      closed = true;
      for (const sub of [...subscribers]) sub.end({ type: 'closed' });
      stopFollowing();
    },
  };
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref();
    signal.addEventListener('abort', done, { once: true });
  });
}
