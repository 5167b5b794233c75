import { Hono } from 'hono';
import { OAuthError } from './errors.js';
import { accessLog } from './http/access-log.js';
import type { ClientAddressResolver } from './http/client-address.js';
import type { BrokerEnv } from './http/env.js';
import { oauthErrorResponse, toOAuthError } from './http/error-response.js';
import { limitBody } from './http/limit-body.js';
import { resolveClientAddress } from './http/peer-address.js';
import { requestIds } from './http/request-id.js';
import { securityHeaders } from './http/security-headers.js';
import type { DevIdentityIssuer } from './identity/index.js';
import type { IssuanceDeps } from './issuance/issuance-deps.js';
import type { OperatorAuthenticator } from './operators/operator-authenticator.js';
import type { RevocationDeps } from './revocation/revocation-deps.js';
import { registerAuditRoutes } from './routes/audit.js';
import { registerAuthorizeRoute } from './routes/authorize.js';
import { registerDevIdentityRoute } from './routes/dev-identity.js';
import { type ReadinessCheck, registerHealthRoutes } from './routes/health.js';
import { registerIntrospectRoute } from './routes/introspect.js';
import { registerOAuthRevokeRoute } from './routes/oauth-revoke.js';
import { registerOperatorKeyRoutes } from './routes/operator-keys.js';
import { registerRevocationStreamRoute } from './routes/revocation-stream.js';
import { registerRevocationRoutes } from './routes/revocations.js';
import { registerTaskCompleteRoute } from './routes/task-complete.js';
import { registerTaskRoutes } from './routes/tasks.js';
import { registerTokenRoute } from './routes/token.js';
import { registerWellKnownRoutes } from './routes/well-known.js';
import type { RuntimeDeps } from './runtime/runtime-deps.js';
import type { Logger } from './shared/logger.js';

export interface AppDeps {
  issuance: IssuanceDeps;
  /** /v1/authorize and introspection: the runtime checks of a presented writ. */
  runtime: RuntimeDeps;
  /** Authenticates operator API keys; used by every /v1 operator route via requireOperator. */
  operators: OperatorAuthenticator;
  /** Revocation, task completion and the revocation feed. */
  revocation: RevocationDeps;
  logger: Logger;
  readiness: ReadinessCheck[];
  maxBodyBytes: number;
  /** Who a request comes from (`trusted_proxies`); the HTTP server uses the same resolver. */
  clientAddress: ClientAddressResolver;
  devIdentity?: DevIdentityIssuer;
}

/** Middleware and routes only; every I/O object arrives built (deps.ts). */
export function createApp(deps: AppDeps): Hono<BrokerEnv> {
  const app = new Hono<BrokerEnv>();

  app.use(requestIds());
  app.use(resolveClientAddress(deps.clientAddress));
  app.use(accessLog(deps.logger));
  app.use(securityHeaders());
  app.use(limitBody(deps.maxBodyBytes));

  registerHealthRoutes(app, deps.readiness);
  registerWellKnownRoutes(app, {
    keyRing: deps.issuance.keyRing,
    issuer: deps.issuance.settings.issuer,
    identityAlgorithms: deps.issuance.identity.algorithms,
  });
  registerTokenRoute(app, deps.issuance);
  registerAuthorizeRoute(app, deps.runtime);
  registerIntrospectRoute(app, { ...deps.runtime, operators: deps.operators });
  registerOperatorKeyRoutes(app, {
    operators: deps.operators,
    store: deps.issuance.store,
    clock: deps.issuance.clock,
    audit: deps.issuance.audit,
  });
  const operatorReads = { operators: deps.operators, store: deps.issuance.store, clock: deps.issuance.clock };
  registerTaskRoutes(app, operatorReads);
  registerAuditRoutes(app, operatorReads);
  registerTaskCompleteRoute(app, deps.revocation);
  registerOAuthRevokeRoute(app, deps.revocation);
  registerRevocationRoutes(app, { ...deps.revocation, operators: deps.operators });
  registerRevocationStreamRoute(app, { ...deps.revocation, operators: deps.operators });
  if (deps.devIdentity) registerDevIdentityRoute(app, deps.devIdentity);

  app.notFound((c) => oauthErrorResponse(c, new OAuthError(404, 'invalid_request', 'not found')));
  app.onError((err, c) => {
    const oauth = toOAuthError(err);
    const log = c.get('log') ?? deps.logger;
    if (oauth.status >= 500) log.error({ err, status: oauth.status }, 'request failed');
    return oauthErrorResponse(c, oauth);
  });
  return app;
}
