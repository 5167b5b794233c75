import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { OAuthError, temporarilyUnavailable } from '../errors.js';
import { IdentityUnavailableError } from '../identity/index.js';
import { StoreUnavailableError } from '../store/index.js';
import type { BrokerEnv } from './env.js';

/** Maps anything thrown to an OAuth error; unknown → server_error without detail. */
export function toOAuthError(err: unknown): OAuthError {
  if (err instanceof OAuthError) return err;
  // The answer is unknown (state, keys or identity issuers unreachable): fail closed with 503.
  if (err instanceof StoreUnavailableError || err instanceof IdentityUnavailableError) {
    return temporarilyUnavailable();
  }
  return new OAuthError(500, 'server_error', 'internal error');
}

export function oauthErrorResponse(c: Context<BrokerEnv>, err: OAuthError): Response {
  for (const [name, value] of Object.entries(err.headers)) c.header(name, value);
  c.header('Cache-Control', 'no-store');
  c.set('oauthError', err.error);
  const description = err.expose ? err.description : defaultDescription(err);
  const reason = err.expose && err.reason !== undefined ? { reason: err.reason } : {};
  return c.json(
    { error: err.error, error_description: description, ...reason },
    err.status as ContentfulStatusCode,
  );
}

function defaultDescription(err: OAuthError): string {
  return err.status === 503 ? err.description : 'internal error';
}
