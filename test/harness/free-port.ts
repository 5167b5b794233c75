import { createServer } from 'node:net';

/**
 * A TCP port that was free on 127.0.0.1 a moment ago (the OS picks it; never 6379 in practice,
 * and refused if it ever is, because a shared Redis lives there).
 *
 * @example
 * const port = await freePort();
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await listenOnce();
    if (port !== 6379) return port;
  }
}

function listenOnce(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('freePort: server.address() did not return a port'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}
