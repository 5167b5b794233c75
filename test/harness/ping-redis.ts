import { connect } from 'node:net';

/**
 * Sends one inline `PING` over a raw socket and resolves with the first reply line
 * (`+PONG`, `-LOADING ...`), or rejects when the connection fails or stays silent.
 */
export function pingRedis(host: string, port: number, timeoutMs = 500): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    let buffered = '';
    const finish = (error: Error | null, line?: string): void => {
      socket.destroy();
      if (error) reject(error);
      else resolve(line ?? '');
    };
    socket.setTimeout(timeoutMs, () => finish(new Error(`PING to ${host}:${port} timed out`)));
    socket.once('error', (error) => finish(error));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      const end = buffered.indexOf('\r\n');
      if (end >= 0) finish(null, buffered.slice(0, end));
    });
    socket.once('end', () => finish(new Error(`${host}:${port} closed the connection before replying`)));
  });
}
