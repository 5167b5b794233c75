import type { Logger } from '../shared/logger.js';
import type { RevocationStore } from '../store/ports.js';
import {
  createFeedSubscriber,
  type FeedSubscriber,
  type FeedSubscription,
  type TerminalFeedEvent,
} from './feed-subscriber.js';
import { compareStreamIds, isStreamId } from './stream-id.js';

export type { FeedEvent, FeedSubscription } from './feed-subscriber.js';

export interface RevocationFeedOptions {
  store: Pick<RevocationStore, 'readRevocations' | 'revocationSnapshot'>;
  logger: Logger;
  /** How often the shared poller reads new entries; default 500. */
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
 * One poller per broker, however many verifiers follow the feed: each new subscriber catches up
 * from its own cursor with paged reads, then joins the shared poller, so N followers cost one
 * store read per interval. A subscriber joins only once its cursor has reached the poller's, so
 * no entry falls between the two reads. The poller runs only while someone is subscribed.
 */
export function createRevocationFeed(options: RevocationFeedOptions): RevocationFeed {
  const { store, logger } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 500;
  const pageSize = options.pageSize ?? 200;
  const maxQueued = options.maxQueued ?? 10_000;
  const subscribers = new Set<FeedSubscriber>();
  // Newest entry id the shared poller has dispatched; undefined while it is stopped.
  let cursor: string | undefined;
  let starting: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  // Bumped when the poller stops, so a read still in flight from the old run is dropped.
  let run = 0;
  let closed = false;

  const endLive = (event: TerminalFeedEvent) => {
    for (const sub of [...subscribers]) if (sub.live) sub.end(event);
  };
  const onEnd = (sub: FeedSubscriber) => {
    subscribers.delete(sub);
    if (subscribers.size === 0) stopPolling();
  };

  function stopPolling() {
    if (timer) clearTimeout(timer);
    timer = undefined;
    cursor = undefined;
    run++;
  }

  function schedule(current: number) {
    if (closed || current !== run || subscribers.size === 0) return;
    timer = setTimeout(() => void poll(current), pollIntervalMs);
    timer.unref();
  }

  async function poll(current: number) {
    timer = undefined;
    try {
      for (;;) {
        if (cursor === undefined) return;
        const page = await store.readRevocations(cursor, pageSize);
        if (current !== run) return;
        if (page.gap) endLive({ type: 'resync', reason: 'gap' });
        for (const entry of page.entries) {
          for (const sub of subscribers) if (sub.live) sub.deliver(entry);
        }
        const last = page.entries.at(-1);
        if (last) cursor = last.id;
        if (page.entries.length < pageSize) break;
      }
    } catch (err) {
      if (current !== run) return;
      logger.warn({ err }, 'revocation feed read failed');
      endLive({ type: 'unavailable' });
    }
    schedule(current);
  }

  /** Starts the poller at the feed's newest entry, if it is not running. */
  function ensurePolling(): Promise<void> {
    if (cursor !== undefined) return Promise.resolve();
    starting ??= store.revocationSnapshot().then(
      (snapshot) => {
        starting = undefined;
        if (closed || subscribers.size === 0 || cursor !== undefined) return;
        cursor = snapshot.last_id;
        schedule(run);
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
        for (const entry of page.entries) sub.deliver(entry);
        if (page.entries.length === pageSize) continue;
        await ensurePolling();
        if (sub.ended || cursor === undefined) continue;
        // Synchronous from here on: the poller cannot dispatch between this check and joining.
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
      stopPolling();
    },
  };
}
