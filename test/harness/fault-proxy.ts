import { connect, createServer, type Server, type Socket } from 'node:net';
import { createDelayedPipe, type DelayedPipe } from './delayed-pipe.js';

export interface FaultProxyOptions {
  target: { host: string; port: number };
  /** Port on 127.0.0.1; default a free one. */
  listenPort?: number;
}

export interface FaultProxy {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** `redis://127.0.0.1:<port>`: point a client here instead of at the server. */
  readonly redisUrl: string;
  /** The last listen error (only possible when `heal()` re-binds after `drop()`). */
  readonly listenError: Error | undefined;
  /** Delays every chunk in both directions by `ms`, keeping byte order. */
  setLatency(ms: number): void;
  /** Destroys every open connection now and refuses new ones (ECONNREFUSED) until `heal()`. */
  drop(): void;
  /**
   * Keeps connections open (and accepts new ones) but forwards nothing either way, so clients
   * hang until their own timeout. Like a real partition, bytes are held, not lost: `heal()`
   * delivers them in order.
   */
  blackhole(): void;
  /** Sends a TCP RST on every open connection (both sides); new connections still work. */
  reset(): void;
  /** Back to normal forwarding: latency 0, held bytes delivered, listening again. */
  heal(): void;
  close(): Promise<void>;
}

interface Link {
  client: Socket;
  upstream: Socket;
  pipes: [DelayedPipe, DelayedPipe];
}

/**
 * A `node:net` TCP proxy in front of a Redis (or anything TCP) that can add latency, drop,
 * blackhole or reset connections.
 *
 * @example
 * const proxy = await createFaultProxy({ target: { host: redis.host, port: redis.port } });
 * const client = new Redis(proxy.redisUrl);
 * proxy.blackhole();
 * await expect(client.ping()).rejects.toThrow(/timed out/);
 * proxy.heal();
 * await proxy.close();
 */
export async function createFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const { target } = options;
  const links = new Set<Link>();
  let latencyMs = 0;
  let blackholed = false;
  let listenError: Error | undefined;

  const server: Server = createServer({ allowHalfOpen: true }, (client) => {
    const upstream = connect({ host: target.host, port: target.port, allowHalfOpen: true });
    const pipes: [DelayedPipe, DelayedPipe] = [
      createDelayedPipe(client, upstream, () => latencyMs),
      createDelayedPipe(upstream, client, () => latencyMs),
    ];
    const link: Link = { client, upstream, pipes };
    links.add(link);
    if (blackholed) for (const pipe of pipes) pipe.hold();
    tie(client, upstream, link);
    tie(upstream, client, link);
  });
  server.on('error', (error) => {
    listenError = error;
  });

  const tie = (self: Socket, other: Socket, link: Link): void => {
    self.on('error', () => {});
    self.on('close', (hadError) => {
      // An error on one side is passed on as an RST; a socket destroyed without a FIN takes the
      // other side down; a graceful FIN was already queued to the other side by the pipe.
      if (hadError) other.resetAndDestroy();
      else if (!self.readableEnded) other.destroy();
      if (link.client.destroyed && link.upstream.destroyed) {
        for (const pipe of link.pipes) pipe.dispose();
        links.delete(link);
      }
    });
  };

  const listen = (port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });

  const destroyAll = (rst: boolean): void => {
    for (const link of links) {
      for (const socket of [link.client, link.upstream]) {
        if (rst) socket.resetAndDestroy();
        else socket.destroy();
      }
    }
  };

  await listen(options.listenPort ?? 0);
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('createFaultProxy: no TCP address');
  const port = address.port;

  return {
    host: '127.0.0.1',
    port,
    redisUrl: `redis://127.0.0.1:${port}`,
    get listenError() {
      return listenError;
    },
    setLatency(ms) {
      latencyMs = Math.max(0, ms);
    },
    drop() {
      if (server.listening) server.close();
      destroyAll(false);
    },
    blackhole() {
      blackholed = true;
      for (const link of links) for (const pipe of link.pipes) pipe.hold();
    },
    reset() {
      destroyAll(true);
    },
    heal() {
      latencyMs = 0;
      blackholed = false;
      for (const link of links) for (const pipe of link.pipes) pipe.release();
      // Binds on the next tick, before any connect this process issues after heal() returns.
      if (!server.listening) server.listen(port, '127.0.0.1');
    },
    async close() {
      destroyAll(false);
      if (!server.listening) return;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
