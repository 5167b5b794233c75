import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../shared/logger.js';
import type { BrokerEnv } from './env.js';

/**
 * One line per request, with its request id on the request's own child logger (every later log
 * line of the request carries the id too) and, for a refusal, its OAuth error code.
 */
export function accessLog(logger: Logger): MiddlewareHandler<BrokerEnv> {
  return async (c, next) => {
    const log = logger.child({ request_id: c.get('requestId') });
    c.set('log', log);
    const started = performance.now();
    await next();
    const clientRequestId = c.get('clientRequestId');
    const error = c.get('oauthError');
    log.info(
      {
        method: c.req.method,
        path: c.req.path,
        ...(clientRequestId ? { client_request_id: clientRequestId } : {}),
        status: c.res.status,
        ...(error ? { error } : {}),
        ms: Math.round(performance.now() - started),
      },
      'request',
    );
  };
}
