import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { OperatorAuthenticator } from '../operators/operator-authenticator.js';
import { type ClientAddressResolver, clientAddressOfRequest } from './client-address.js';

const BODY = JSON.stringify({ error: 'slow_down', error_description: 'too many requests' });

/**
 * Wraps the app's Node request listener: an operator-key attempt (`Bearer writ_…`) from a client
 * already blocked for failed attempts is answered 429 at once, before a Request object, routing
 * or middleware exist. Under a flood this keeps each refused request to a few microseconds, so the
 * event loop stays free for token exchanges. The answer is the one the app itself would give.
 */
export function refuseBlockedClients(
  operators: Pick<OperatorAuthenticator, 'blockedFor'>,
  clientAddress: ClientAddressResolver,
  listener: RequestListener,
): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const authorization = req.headers.authorization;
    if (authorization?.startsWith('Bearer writ_')) {
      const retryAfter = operators.blockedFor(clientAddressOfRequest(clientAddress, req), authorization);
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
