import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { OAuthError } from '../errors.js';
import type { BrokerEnv } from './env.js';

const DECIMAL = /^\d{1,16}$/;

function tooLarge(): OAuthError {
  return new OAuthError(413, 'invalid_request', 'request body too large');
}

/**
 * Oversized bodies are refused before anything parses them, let alone verifies a signature.
 * A declared `Content-Length` decides at once: Node's HTTP parser never delivers more than it
 * declares, so the route can then read the body on the server's fast path. Only a body of
 * unknown length (chunked, or an in-process Request) is counted while it streams, by Hono's
 * bodyLimit, which needs the full web-stream Request and so costs more.
 */
export function limitBody(maxBytes: number): MiddlewareHandler<BrokerEnv> {
  const counted = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw tooLarge();
    },
  });
  return async (c, next) => {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD') return next();
    const declared = c.req.header('content-length');
    if (declared === undefined) return counted(c, next);
    if (!DECIMAL.test(declared) || Number(declared) > maxBytes) throw tooLarge();
    return next();
  };
}
