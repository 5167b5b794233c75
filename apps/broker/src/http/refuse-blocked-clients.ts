import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { OperatorAuthenticator } from '../operators/operator-authenticator.js';

const BODY = JSON.stringify({ error: 'slow_down', error_description: 'too many requests' });

/**
 * Wraps the app's Node request listener: an operator-key attempt (`Bearer writ_…`) from a client
 * already blocked for failed attempts is answered 429 at once, before a Request object, routing
 * or middleware exist. Under a flood this keeps each refused request to a few microseconds, so the
 * event loop stays free for token exchanges. The answer is the one the app itself would give.
 */
export function refuseBlockedClients(
  operators: Pick<OperatorAuthenticator, 'blockedFor'>,
  listener: RequestListener,
): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.headers.authorization?.startsWith('Bearer writ_')) {
      const retryAfter = operators.blockedFor(req.socket.remoteAddress ?? 'unknown');
      if (retryAfter !== null) {
        res.writeHead(429, {
          'content-type': 'application/json',
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
          'x-request-id': randomUUID(),
          'retry-after': String(retryAfter),
          'content-length': Buffer.byteLength(BODY),
        });
        res.end(BODY);
        return;
      }
    }
    listener(req, res);
  };
}

/** The broker's Node HTTP server: the app behind the early refusal of blocked operator clients. */
export function createBrokerServer(
  fetch: Parameters<typeof getRequestListener>[0],
  operators: Pick<OperatorAuthenticator, 'blockedFor'>,
): Server {
  return createServer(refuseBlockedClients(operators, getRequestListener(fetch)));
}
