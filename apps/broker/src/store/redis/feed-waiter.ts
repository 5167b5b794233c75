import { Command, type Redis } from 'ioredis';
import { StoreUnavailableError } from '../shared/errors.js';
import { checkFeedWait } from '../shared/revoke-input.js';
import type { RedisContext } from './context.js';
import { toStoreError } from './errors.js';

export interface RedisFeedWaiter {
  /** See RevocationStore.waitForRevocations. */
  wait(afterId: string, timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
  /** Drops every blocking connection; later waits throw StoreUnavailableError. */
  close(): void;
}

/**
 * Blocking reads of the revocation feed (XREAD BLOCK) on connections of their own: a blocked
 * connection cannot serve anything else, so the main client is never used. A connection is a
 * duplicate of the main client made on first use, without the main client's short command and
 * socket timeouts (each XREAD carries its block time plus the command timeout instead), and
 * without background reconnects (a failed one is dropped; the next wait dials again). Connections
 * are closed as soon as no wait is pending and every signal passed in has aborted — so a broker
 * without followers holds none and sends nothing.
 */
export function createRedisFeedWaiter(ctx: RedisContext): RedisFeedWaiter {
  const idle: Redis[] = [];
  const inUse = new Set<Redis>();
  const following = new Set<AbortSignal>();
  let closed = false;

  const releaseIdle = () => {
    if (inUse.size > 0 || following.size > 0) return;
    for (const connection of idle.splice(0)) connection.disconnect();
  };

  const follow = (signal: AbortSignal) => {
    if (following.has(signal)) return;
    following.add(signal);
    signal.addEventListener(
      'abort',
      () => {
        following.delete(signal);
        releaseIdle();
      },
      { once: true },
    );
  };

  const connect = async (): Promise<Redis> => {
    const reused = idle.pop();
    if (reused) return reused;
    const connection = ctx.redis.duplicate({
      lazyConnect: true,
      commandTimeout: undefined,
      socketTimeout: undefined,
      retryStrategy: () => null,
    });
    // Failures surface through the pending command; an unhandled 'error' event would crash.
    connection.on('error', () => undefined);
    inUse.add(connection);
    try {
      await connection.connect();
    } catch (error) {
      inUse.delete(connection);
      connection.disconnect();
      throw error;
    }
    return connection;
  };

  return {
    async wait(afterId, timeoutMs, signal) {
      checkFeedWait(afterId, timeoutMs);
      if (closed) throw new StoreUnavailableError('the store is closed');
      if (signal?.aborted) return false;
      if (signal) follow(signal);
      let connection: Redis | undefined;
      const onAbort = () => connection?.disconnect();
      try {
        connection = await connect();
        inUse.add(connection);
        if (signal?.aborted || closed) throw new Error('aborted');
        signal?.addEventListener('abort', onAbort, { once: true });
        const command = new Command(
          'XREAD',
          ['COUNT', 1, 'BLOCK', timeoutMs, 'STREAMS', ctx.keys.revocations, afterId],
          { replyEncoding: 'utf8' },
        );
        // Set before sending, so ioredis keeps it: Redis answers by the block time or is not answering.
        command.setTimeout(timeoutMs + ctx.commandTimeoutMs);
        const reply = await connection.sendCommand(command);
        inUse.delete(connection);
        idle.push(connection);
        return reply !== null;
      } catch (error) {
        if (connection) {
          inUse.delete(connection);
          connection.disconnect();
        }
        if (signal?.aborted || closed) return false;
        throw toStoreError(error, 'wait for revocations');
      } finally {
        signal?.removeEventListener('abort', onAbort);
        releaseIdle();
      }
    },

    close() {
      closed = true;
      following.clear();
      for (const connection of [...inUse, ...idle.splice(0)]) connection.disconnect();
      inUse.clear();
    },
  };
}
