import type { Hono } from 'hono';
import { invalidRequest, OAuthError } from '../errors.js';
import type { BrokerEnv } from '../http/env.js';
import { readFormBody } from '../http/read-body.js';
import type { RevocationDeps } from '../revocation/revocation-deps.js';
import { revokeWritToken } from '../revocation/revoke-writ-token.js';

const MAX_TOKEN_CHARS = 16 * 1024;

/**
 * POST /oauth2/revoke — RFC 7009 token revocation. The writ is its own credential (the agent is
 * a public client); revoking it ends its whole task and every descendant.
 */
export function registerOAuthRevokeRoute(app: Hono<BrokerEnv>, deps: RevocationDeps) {
  app.post('/oauth2/revoke', async (c) => {
    const form = await readFormBody(c);
    const tokens = form.getAll('token');
    const hints = form.getAll('token_type_hint');
    // RFC 7009 §2.1: `token` is required; RFC 6749 §3.2: parameters must not repeat.
    if (tokens.length !== 1 || !tokens[0]) throw invalidRequest('exactly one token is required');
    if (hints.length > 1) throw invalidRequest('token_type_hint must not be repeated');
    c.header('Cache-Control', 'no-store');
    // RFC 7009 §2.2.1: this server issues no refresh tokens, so it cannot revoke one.
    if (hints[0] === 'refresh_token') {
      throw new OAuthError(400, 'unsupported_token_type', 'this server issues no refresh tokens');
    }
    const token = tokens[0];
    // RFC 7009 §2.2: an invalid token is answered 200 like a revoked one; oversized ones are invalid.
    if (token.length <= MAX_TOKEN_CHARS)
      await revokeWritToken(deps, { token, requestId: c.get('requestId') });
    return c.body(null, 200);
  });
}
