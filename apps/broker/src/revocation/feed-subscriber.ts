import type { RevocationEntry } from '../store/index.js';
import { compareStreamIds } from './stream-id.js';

/** What a feed subscriber reads next. `resync`, `unavailable` and `closed` end the subscription. */
export type FeedEvent =
  | { type: 'entry'; entry: RevocationEntry }
  /**
   * `gap`: entries after the cursor were trimmed; `ahead`: the cursor is past the newest entry (the
   * feed never issued it); `slow_consumer`: the reader fell too far behind.
   */
  | { type: 'resync'; reason: 'gap' | 'ahead' | 'slow_consumer' }
  | { type: 'unavailable' }
  | { type: 'closed' }
  /** Nothing arrived within the wait. */
  | { type: 'idle' };

export type TerminalFeedEvent = Extract<FeedEvent, { type: 'resync' | 'unavailable' | 'closed' }>;

export interface FeedSubscription {
  /** The next event, or `idle` after `waitMs` without one; `closed` forever once ended. */
  next(waitMs: number): Promise<FeedEvent>;
  /** Stops delivery; a pending `next` resolves `closed`. Idempotent. */
  unsubscribe(): void;
}

/** The feed's side of a subscription. */
export interface FeedSubscriber extends FeedSubscription {
  /** Newest entry id queued for this subscriber (or the id it resumed after). */
  readonly position: string;
  /** True once it has caught up and receives the shared follower's entries. */
  live: boolean;
  readonly ended: boolean;
  /** Queues `entry` unless the subscriber already has it. */
  deliver(entry: RevocationEntry): void;
  end(event: TerminalFeedEvent): void;
}

const CLOSED: FeedEvent = { type: 'closed' };
const IDLE: FeedEvent = { type: 'idle' };

export function createFeedSubscriber(
  afterId: string,
  maxQueued: number,
  onEnd: (subscriber: FeedSubscriber) => void,
): FeedSubscriber {
  const queue: FeedEvent[] = [];
  let position = afterId;
  let ended = false;
  let wake: (() => void) | undefined;

  const push = (event: FeedEvent) => {
    queue.push(event);
    wake?.();
  };
  const subscriber: FeedSubscriber = {
    get position() {
      return position;
    },
    live: false,
    get ended() {
      return ended;
    },
    deliver(entry) {
      if (ended || compareStreamIds(entry.id, position) <= 0) return;
      position = entry.id;
      // A reader this far behind holds memory for nothing: it must rebuild from a snapshot anyway.
      if (queue.length >= maxQueued) {
        queue.length = 0;
        subscriber.end({ type: 'resync', reason: 'slow_consumer' });
        return;
      }
      push({ type: 'entry', entry });
    },
    end(event) {
      if (ended) return;
      ended = true;
      push(event);
      onEnd(subscriber);
    },
    unsubscribe() {
      if (ended) return;
      queue.length = 0;
      subscriber.end({ type: 'closed' });
    },
    async next(waitMs) {
      const ready = queue.shift();
      if (ready) return ready;
      if (ended) return CLOSED;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, waitMs);
        function done() {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        }
        wake = done;
      });
      return queue.shift() ?? (ended ? CLOSED : IDLE);
    },
  };
  return subscriber;
}
