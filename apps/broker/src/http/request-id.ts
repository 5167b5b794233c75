import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { rememberClientRequestId } from '../audit/client-request-ids.js';
import type { BrokerEnv } from './env.js';

/** Printable ASCII without spaces, bounded: anything else from a client is dropped, not echoed. */
const CLIENT_REQUEST_ID = /^[\x21-\x7e]{1,128}$/;

/**
 * The request id is always the server's own (a UUID), so no client can make its events share an
 * id with someone else's request and plant evidence under it. A client's `X-Request-Id`, when
 * well formed, is kept apart as `client_request_id` (access log and audit events) for correlation.
 */
export function requestIds(): MiddlewareHandler<BrokerEnv> {
  return async (c, next) => {
    const requestId = randomUUID();
    c.set('requestId', requestId);
    c.header('X-Request-Id', requestId);
    const sent = c.req.header('x-request-id');
    if (sent === undefined || !CLIENT_REQUEST_ID.test(sent)) return next();
    c.set('clientRequestId', sent);
    const forget = rememberClientRequestId(requestId, sent);
    try {
      await next();
    } finally {
      forget();
    }
  };
}
