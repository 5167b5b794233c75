import { redisUrlOfThisRun } from '@writ/test/harness';
import { Redis } from 'ioredis';
import { createApp } from '../src/app.js';
import { type BrokerConfig, loadConfig } from '../src/config.js';
import { buildBroker } from '../src/deps.js';
import { newRandomId } from '../src/issuance/ids.js';
import type { RevocationFeed } from '../src/revocation/feed.js';
import { createFixedClock } from '../src/shared/clock.js';
import { silentLogger } from '../src/shared/logger.js';
import type { OperatorRole, WritStore } from '../src/store/index.js';
import { createMemoryStore, createRedisStore } from '../src/store/index.js';
import { listen, postRevocation } from './revocation-helpers.js';
import { deleteKeys } from './store/support/redis-snapshot.js';
import { createTestOperatorKey } from './support/fixtures.js';
import { BROKER_ISSUER } from './support/test-broker.js';

export interface SseEvent {
  event?: string;
  id?: string;
  data?: string;
  comment?: string;
}

/** A minimal text/event-stream reader (WHATWG HTML §9.2.6) over a real HTTP response. */
export function readSse(res: Response) {
  if (!res.body) throw new Error('no body');
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  const ready: SseEvent[] = [];
  let buffer = '';
  let ended = false;
  const parse = (block: string) => {
    const event: SseEvent = {};
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) event.comment = line.slice(1).trim();
      const match = /^(event|id|data): ?(.*)$/.exec(line);
      if (match?.[2] !== undefined) event[match[1] as 'event' | 'id' | 'data'] = match[2];
    }
    ready.push(event);
  };
  return {
    /** The next event or comment; undefined if the stream ended or nothing came within `timeoutMs`. */
    async next(timeoutMs = 2000): Promise<SseEvent | undefined> {
      const deadline = Date.now() + timeoutMs;
      while (ready.length === 0 && !ended) {
        const left = deadline - Date.now();
        if (left <= 0) return undefined;
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), left);
        });
        const chunk = await Promise.race([reader.read(), timeout]);
        clearTimeout(timer);
        if (chunk === 'timeout') return undefined;
        if (chunk.done) ended = true;
        else buffer += chunk.value;
        for (let at = buffer.indexOf('\n\n'); at >= 0; at = buffer.indexOf('\n\n')) {
          parse(buffer.slice(0, at));
          buffer = buffer.slice(at + 2);
        }
      }
      return ready.shift();
    },
    /** The next event that is not a comment. */
    async nextEvent(timeoutMs = 2000): Promise<SseEvent | undefined> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const event = await this.next(Math.max(1, deadline - Date.now()));
        if (!event || event.comment === undefined) return event;
      }
    },
    get ended() {
      return ended && ready.length === 0;
    },
    cancel: () => reader.cancel().catch(() => undefined),
  };
}

export interface StreamBrokerOptions {
  store: 'memory' | 'redis';
  feedMaxLen?: number;
  redisUrl?: string;
  heartbeatMs?: number;
  /** revocations.poll_interval_ms (the feed's fallback wait); default 50. */
  pollIntervalMs?: number;
}

/** A broker served on a real port, with direct access to its store and its feed. */
export async function createStreamBroker(options: StreamBrokerOptions) {
  const clock = createFixedClock(Date.now());
  const prefix = `writ:test:${newRandomId()}:`;
  const url = options.redisUrl ?? (options.store === 'redis' ? redisUrlOfThisRun() : '');
  const store: WritStore =
    options.store === 'memory'
      ? createMemoryStore({ clock, ...(options.feedMaxLen ? { feedMaxLen: options.feedMaxLen } : {}) })
      : createRedisStore({
          url,
          clock,
          logger: silentLogger,
          keyPrefix: prefix,
          commandTimeoutMs: 300,
          ...(options.feedMaxLen ? { feedMaxLen: options.feedMaxLen } : {}),
        });
  const base = loadConfig({ WRIT_DEV: '1', WRIT_ISSUER: BROKER_ISSUER, WRIT_LOG_LEVEL: 'silent' });
  const config: BrokerConfig = {
    ...base,
    revocations: {
      poll_interval_ms: options.pollIntervalMs ?? 50,
      heartbeat_ms: options.heartbeatMs ?? 15_000,
    },
  };
  const broker = await buildBroker(config, silentLogger, { clock, store });
  const app = createApp(broker.app);
  const server = await listen(app);
  const feed: RevocationFeed = broker.app.revocation.feed;
  return {
    app,
    store,
    clock,
    feed,
    url: server.url,
    key: async (roles: OperatorRole[]) => (await createTestOperatorKey({ store, clock }, roles)).key,
    /** A fresh jti revocation: one new feed entry; returns its feed id. */
    async revokeOne(key: string): Promise<string> {
      const res = await postRevocation(app, key, { jti: newRandomId() });
      if (res.status !== 200) throw new Error(`revocation failed: ${res.status}`);
      return ((await res.json()) as { feed_id: string }).feed_id;
    },
    stream(key: string, headers: Record<string, string> = {}, query = '') {
      return fetch(`${server.url}/v1/revocations/stream${query}`, {
        headers: { authorization: `Bearer ${key}`, ...headers },
      });
    },
    async close() {
      await server.close();
      await broker.close();
      if (options.store === 'redis') {
        const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
        redis.on('error', () => undefined);
        await deleteKeys(redis, prefix).catch(() => undefined);
        redis.disconnect();
      }
    },
  };
}
