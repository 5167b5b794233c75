import { createServer, type Server } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { BrokerConfig } from '../config.js';
import type { OperatorAuthenticator } from '../operators/operator-authenticator.js';
import type { ClientAddressResolver } from './client-address.js';
import { limitConnections } from './connection-limits.js';
import { refuseBlockedClients } from './refuse-blocked-clients.js';

export interface BrokerServerOptions {
  operators: Pick<OperatorAuthenticator, 'blockedFor'>;
  clientAddress: ClientAddressResolver;
  limits: Pick<
    BrokerConfig['limits'],
    | 'max_connections'
    | 'max_connections_per_address'
    | 'headers_timeout_ms'
    | 'request_timeout_ms'
    | 'keep_alive_timeout_ms'
  >;
}

/**
 * The broker's Node HTTP server: connection caps, timeouts tighter than Node's defaults (a slow
 * or idle client cannot hold a socket for minutes), and the early refusal of blocked operator
 * clients in front of the app.
 */
export function createBrokerServer(
  fetch: Parameters<typeof getRequestListener>[0],
  options: BrokerServerOptions,
): Server {
  const { limits } = options;
  const server = createServer(
    {
      headersTimeout: limits.headers_timeout_ms,
      requestTimeout: limits.request_timeout_ms,
      keepAliveTimeout: limits.keep_alive_timeout_ms,
      // Node checks the two request timeouts only this often (30 s by default), which would
      // stretch a 10 s header timeout to 40 s.
      connectionsCheckingInterval: Math.min(1000, limits.headers_timeout_ms),
    },
    refuseBlockedClients(options.operators, options.clientAddress, getRequestListener(fetch)),
  );
  limitConnections(
    server,
    { maxConnections: limits.max_connections, maxPerAddress: limits.max_connections_per_address },
    options.clientAddress,
  );
  return server;
}
