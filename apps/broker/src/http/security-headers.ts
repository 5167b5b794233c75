import type { MiddlewareHandler } from 'hono';
import type { BrokerEnv } from './env.js';

/**
 * `nosniff` and `Cache-Control: no-store` on every answer; a route that may be cached (the JWKS,
 * the metadata) sets its own Cache-Control. The headers are prepared before the handler runs:
 * Hono then builds the response with them once, where setting them afterwards copies the
 * response. A handler that returns a Response of its own still gets them afterwards.
 */
export function securityHeaders(): MiddlewareHandler<BrokerEnv> {
  return async (c, next) => {
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Cache-Control', 'no-store');
    await next();
    if (!c.res.headers.has('X-Content-Type-Options')) c.header('X-Content-Type-Options', 'nosniff');
    if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
  };
}
