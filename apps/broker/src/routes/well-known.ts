import { GRANT_TYPE_TOKEN_EXCHANGE } from '@writ/claims';
import type { Hono } from 'hono';
import { OAuthError } from '../errors.js';
import type { BrokerEnv } from '../http/env.js';
import { oauthErrorResponse } from '../http/error-response.js';
import { GRANT_TYPE_CLIENT_CREDENTIALS } from '../issuance/client-credentials.js';
import type { KeyRing } from '../signing/index.js';

/** JWKS for offline verification, and RFC 8414 authorization server metadata. */
export function registerWellKnownRoutes(
  app: Hono<BrokerEnv>,
  deps: { keyRing: KeyRing; issuer: string; identityAlgorithms: readonly string[] },
) {
  const signingAlgorithms = [...new Set(deps.keyRing.publicJwks().keys.map((key) => key.alg))];
  app.get('/.well-known/jwks.json', (c) => {
    c.header('Cache-Control', 'public, max-age=300');
    return c.json(deps.keyRing.publicJwks());
  });
  app.get('/.well-known/oauth-authorization-server', (c) => {
    c.header('Cache-Control', 'public, max-age=300');
    return c.json({
      issuer: deps.issuer,
      // RFC 8414 §2 requires it unless no grant uses it, and the MCP SDK's metadata schema
      // requires it always; Writ has no user-facing grant, so this endpoint only refuses.
      authorization_endpoint: `${deps.issuer}/oauth2/authorize`,
      token_endpoint: `${deps.issuer}/oauth2/token`,
      introspection_endpoint: `${deps.issuer}/oauth2/introspect`,
      revocation_endpoint: `${deps.issuer}/oauth2/revoke`,
      jwks_uri: `${deps.issuer}/.well-known/jwks.json`,
      // Not in RFC 8414's registry: the algorithms writs are signed with, the allow-list a
      // verifier (@writ/verifier) takes from here rather than trusting a token's header.
      access_token_signing_alg_values_supported: signingAlgorithms,
      grant_types_supported: [GRANT_TYPE_TOKEN_EXCHANGE, GRANT_TYPE_CLIENT_CREDENTIALS],
      // client_credentials authenticates with the workload identity as an RFC 7523 assertion
      // (OAuth's private_key_jwt); a token exchange carries its identity in subject_token.
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: deps.identityAlgorithms,
      authorization_details_types_supported: ['agent_task'],
      response_types_supported: [],
    });
  });
  // RFC 6749 §4.1.2.1: with no client and no redirect_uri to trust, the error is shown, not redirected.
  app.get('/oauth2/authorize', (c) =>
    oauthErrorResponse(
      c,
      new OAuthError(
        400,
        'invalid_request',
        'Writ has no authorization endpoint: agents use the token endpoint (client_credentials or token exchange)',
      ),
    ),
  );
}
