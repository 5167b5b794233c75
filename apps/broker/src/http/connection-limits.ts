import type { Server } from 'node:http';
import { addressBucket } from '../shared/address-bucket.js';
import type { ClientAddressResolver } from './client-address.js';
import { socketAddressOf } from './client-address.js';

export interface ConnectionLimits {
  maxConnections: number;
  maxPerAddress: number;
}

/**
 * Caps open connections in all (Node's own `maxConnections`: an over-cap socket is destroyed
 * before any parsing) and per TCP peer (IPv6 per /64), so one client cannot hold every socket
 * (slow headers, idle keep-alives, SSE) and starve the rest. An over-cap connection is closed at
 * once, without an answer: refusing must cost less than serving. A trusted proxy's connections
 * carry many clients, so they are only counted in the total.
 */
export function limitConnections(
  server: Server,
  limits: ConnectionLimits,
  proxies: Pick<ClientAddressResolver, 'isTrustedProxy'>,
): void {
  server.maxConnections = limits.maxConnections;
  const open = new Map<string, number>();
  server.on('connection', (socket) => {
    if (proxies.isTrustedProxy(socket.remoteAddress)) return;
    const bucket = addressBucket(socketAddressOf(socket.remoteAddress));
    const count = (open.get(bucket) ?? 0) + 1;
    if (count > limits.maxPerAddress) {
      socket.destroy();
      return;
    }
    open.set(bucket, count);
    socket.once('close', () => {
      const left = (open.get(bucket) ?? 1) - 1;
      if (left > 0) open.set(bucket, left);
      else open.delete(bucket);
    });
  });
}
