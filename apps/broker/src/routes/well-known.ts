import { GRANT_TYPE_TOKEN_EXCHANGE } from '@writ/claims';
import type { Hono } from 'hono';
import type { BrokerEnv } from '../http/env.js';
import type { KeyRing } from '../signing/index.js';

/** JWKS for offline verification, and RFC 8414 authorization server metadata. */
export function registerWellKnownRoutes(app: Hono<BrokerEnv>, deps: { keyRing: KeyRing; issuer: string }) {
  const signingAlgorithms = [...new Set(deps.keyRing.publicJwks().keys.map((key) => key.alg))];
  app.get('/.well-known/jwks.json', (c) => {
    c.header('Cache-Control', 'public, max-age=300');
    return c.json(deps.keyRing.publicJwks());
  });
  app.get('/.well-known/oauth-authorization-server', (c) => {
    c.header('Cache-Control', 'public, max-age=300');
    return c.json({
      issuer: deps.issuer,
      token_endpoint: `${deps.issuer}/oauth2/token`,
      introspection_endpoint: `${deps.issuer}/oauth2/introspect`,
      revocation_endpoint: `${deps.issuer}/oauth2/revoke`,
      jwks_uri: `${deps.issuer}/.well-known/jwks.json`,
      // Not in RFC 8414's registry: the algorithms writs are signed with, the allow-list a
      // verifier (@writ/verifier) takes from here rather than trusting a token's header.
      access_token_signing_alg_values_supported: signingAlgorithms,
      grant_types_supported: [GRANT_TYPE_TOKEN_EXCHANGE],
      token_endpoint_auth_methods_supported: ['none'],
      authorization_details_types_supported: ['agent_task'],
      response_types_supported: [],
    });
  });
}
