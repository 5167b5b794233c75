import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { type ClientAddressResolver, UNKNOWN_ADDRESS } from './client-address.js';
import type { BrokerEnv } from './env.js';

/** Resolves the client address once per request (see client-address.ts) for every later reader. */
export function resolveClientAddress(resolve: ClientAddressResolver): MiddlewareHandler<BrokerEnv> {
  return async (c, next) => {
    c.set('clientAddress', resolve(socketAddressOf(c), c.req.header('x-forwarded-for')));
    await next();
  };
}

/** The client's address (trusted_proxies applied); in-process requests share `unknown`. */
export function peerAddressOf(c: Context<BrokerEnv>): string {
  return c.get('clientAddress') ?? UNKNOWN_ADDRESS;
}

function socketAddressOf(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}
