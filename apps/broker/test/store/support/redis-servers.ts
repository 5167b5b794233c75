import { type RedisServer, startRedis } from '@writ/test/harness';
import { Redis } from 'ioredis';
import { afterEach } from 'vitest';
import { createFixedClock } from '../../../src/shared/clock.js';
import type { Logger } from '../../../src/shared/logger.js';
import { createRedisStore, type RedisStoreOptions } from '../../../src/store/index.js';

export interface LogLine {
  level: string;
  obj: object;
  msg: string | undefined;
}

/** A logger that keeps every line, for tests that assert what the store said. */
export function createRecordingLogger(): { logger: Logger; logs: LogLine[] } {
  const logs: LogLine[] = [];
  const record =
    (level: string) =>
    (obj: object, msg?: string): void => {
      logs.push({ level, obj, msg });
    };
  const logger: Logger = {
    info: record('info'),
    warn: record('warn'),
    error: record('error'),
    debug: record('debug'),
    child: () => logger,
  };
  return { logger, logs };
}

/**
 * Test support for suites that need their own redis-server (to kill, restart, flush or
 * misconfigure it): everything a test starts here is stopped after that test, newest first.
 */
export function useRedisServers() {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });
  return {
    track(cleanup: () => Promise<unknown>): void {
      cleanups.push(cleanup);
    },
    async start(args: string[] = [], port?: number): Promise<RedisServer> {
      const server = await startRedis({ args, ...(port === undefined ? {} : { port }) });
      cleanups.push(() => server.stop());
      return server;
    },
    async connectAdmin(url: string): Promise<Redis> {
      const admin = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await admin.connect();
      cleanups.push(async () => admin.disconnect());
      return admin;
    },
    /** A Redis store on `url` (not yet initialised) with a fixed clock and a recording logger. */
    openStore(url: string, options: Partial<RedisStoreOptions> = {}) {
      const clock = createFixedClock(Date.now());
      const { logger, logs } = createRecordingLogger();
      const store = createRedisStore({ url, clock, logger, ...options });
      cleanups.push(() => store.close());
      return { store, clock, logs };
    },
  };
}
