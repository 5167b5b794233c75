import { createServer, type Server } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { OperatorAuthenticator } from '../operators/operator-authenticator.js';
import type { ClientAddressResolver } from './client-address.js';
import { refuseBlockedClients } from './refuse-blocked-clients.js';

export interface BrokerServerOptions {
  operators: Pick<OperatorAuthenticator, 'blockedFor'>;
  clientAddress: ClientAddressResolver;
}

/** The broker's Node HTTP server: the app behind the early refusal of blocked operator clients. */
export function createBrokerServer(
  fetch: Parameters<typeof getRequestListener>[0],
  options: BrokerServerOptions,
): Server {
  return createServer(
    refuseBlockedClients(options.operators, options.clientAddress, getRequestListener(fetch)),
  );
}
