import { WritError } from '../errors.js';
import { callBroker, type FetchLike, joinUrl, jsonOf } from '../http.js';
import { createSseParser } from './sse.js';
import type { RevocationEntry, RevocationSnapshot, RevocationView } from './view.js';

export interface FeedFollowerOptions {
  fetch: FetchLike;
  brokerUrl: string;
  /** An operator key with the `feed` role (or read / introspect / revoke). */
  operatorKey: string;
  view: RevocationView;
  now: () => number;
  timeoutMs: number;
  /** Called after each change to the view (entries applied or a snapshot taken). */
  onChange: () => void;
  /** Backoff bounds for reconnecting, ms. */
  backoff?: { initialMs: number; maxMs: number };
}

export interface FeedFollower {
  /** Resolves once the first snapshot is in and the stream is connected (or the first try failed). */
  readonly firstSync: Promise<void>;
  /** When the view was last known to be current (epoch ms); undefined before the first snapshot. */
  readonly lastSyncAt: number | undefined;
  /** The last error, for diagnostics. */
  readonly lastError: unknown;
  close(): void;
}

const MAX_SNAPSHOT_PAGES = 10_000;

/**
 * Follows the broker's revocations (docs/revocation.md): the snapshot, then the SSE feed after
 * its `last_id`, resuming with `Last-Event-ID` after a drop, re-taking the snapshot on `resync`,
 * reconnecting with exponential backoff and jitter. Every byte from the stream — an event, the
 * `: connected` line, a heartbeat — proves the view current at that moment (`lastSyncAt`).
 */
export function followRevocationFeed(options: FeedFollowerOptions): FeedFollower {
  const { view } = options;
  const initialMs = options.backoff?.initialMs ?? 100;
  const maxMs = options.backoff?.maxMs ?? 5_000;
  const headers = { authorization: `Bearer ${options.operatorKey}` };
  const abort = new AbortController();
  let lastSyncAt: number | undefined;
  let lastError: unknown;
  let needSnapshot = true;
  let settleFirst: () => void = () => undefined;
  const firstSync = new Promise<void>((resolve) => {
    settleFirst = resolve;
  });

  const takeSnapshot = async () => {
    const pages: RevocationSnapshot[] = [];
    let cursor: string | null | undefined;
    const startedAt = options.now();
    do {
      const path = cursor ? `/v1/revocations?cursor=${encodeURIComponent(cursor)}` : '/v1/revocations';
      const res = await callBroker(
        options.fetch,
        joinUrl(options.brokerUrl, path),
        { headers },
        options.timeoutMs,
        'revocation snapshot',
      );
      if (res.status !== 200) {
        await res.body?.cancel();
        throw new WritError('ERR_WRIT_UNAVAILABLE', `revocation snapshot: the broker answered ${res.status}`);
      }
      const page = (await jsonOf(res, 'revocation snapshot')) as RevocationSnapshot;
      if (!page || typeof page.last_id !== 'string') {
        throw new WritError('ERR_WRIT_UNAVAILABLE', 'revocation snapshot: no last_id');
      }
      pages.push(page);
      cursor = page.next_cursor;
    } while (cursor && pages.length < MAX_SNAPSHOT_PAGES);
    view.replace(pages);
    // Current as of when it was asked for, not when the last page arrived.
    lastSyncAt = startedAt;
    needSnapshot = false;
    options.onChange();
  };

  /**
   * One stream connection; resolves when it ends (closed, error or resync event), true when it
   * delivered anything past its `: connected` line.
   */
  const stream = async (): Promise<boolean> => {
    const res = await options.fetch(joinUrl(options.brokerUrl, '/v1/revocations/stream'), {
      headers: { ...headers, accept: 'text/event-stream', 'last-event-id': view.cursor ?? '0-0' },
      signal: abort.signal,
    });
    if (res.status !== 200 || !res.body) {
      await res.body?.cancel();
      // A cursor the broker no longer accepts: start over from a snapshot.
      if (res.status === 400) needSnapshot = true;
      throw new WritError('ERR_WRIT_UNAVAILABLE', `revocation stream: the broker answered ${res.status}`);
    }
    settleFirst();
    const parse = createSseParser();
    const decoder = new TextDecoder();
    let comments = 0;
    let progressed = false;
    const reader = res.body.getReader();
    // A body not tied to the signal (a custom fetch) must still stop when the follower closes.
    const cancel = () => void reader.cancel().catch(() => undefined);
    abort.signal.addEventListener('abort', cancel, { once: true });
    try {
      for (;;) {
        const { value: chunk, done } = await reader.read();
        if (done) return progressed;
        if (abort.signal.aborted) return progressed;
        const result = handle(chunk);
        if (result === 'end') return progressed;
      }
    } finally {
      abort.signal.removeEventListener('abort', cancel);
      cancel();
    }

    function handle(chunk: Uint8Array): 'end' | undefined {
      let changed = false;
      let current = false;
      for (const message of parse(decoder.decode(chunk, { stream: true }))) {
        if (message.kind === 'comment') {
          // The first comment is `: connected`, written before the broker catches this stream up
          // from its cursor: it proves nothing. Heartbeats come only when the feed is idle, that
          // is once everything before them was sent.
          if (comments++ > 0) current = true;
        } else if (message.event === 'revocation') {
          if (!view.apply(JSON.parse(message.data) as RevocationEntry)) {
            needSnapshot = true;
            return 'end';
          }
          changed = true;
          current = true;
        } else if (message.event === 'resync') {
          needSnapshot = true;
          return 'end';
        } else if (message.event === 'error') {
          throw new WritError('ERR_WRIT_UNAVAILABLE', `revocation stream: ${message.data.slice(0, 100)}`);
        }
      }
      if (current) {
        lastSyncAt = options.now();
        progressed = true;
      }
      if (changed) options.onChange();
      return undefined;
    }
  };

  const run = async () => {
    let delay = initialMs;
    while (!abort.signal.aborted) {
      let failed = false;
      try {
        if (needSnapshot) await takeSnapshot();
        // A connection that delivered something resets the backoff.
        if (await stream()) delay = initialMs;
      } catch (err) {
        if (abort.signal.aborted) return;
        lastError = err;
        failed = true;
      }
      settleFirst();
      if (abort.signal.aborted) return;
      // resync: re-take the snapshot at once; a closed stream: reconnect soon; a failure: back off.
      const wait = failed ? delay * (0.5 + Math.random() / 2) : needSnapshot ? 0 : initialMs;
      if (failed) delay = Math.min(maxMs, delay * 2);
      await sleep(wait, abort.signal);
    }
  };
  void run();

  return {
    firstSync,
    get lastSyncAt() {
      return lastSyncAt;
    },
    get lastError() {
      return lastError;
    },
    close() {
      abort.abort();
      settleFirst();
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
