import type { OAuthErrorCode } from '@writ/claims';

/**
 * The one OAuth error hierarchy (docs/architecture.md §8). `expose` says whether the description may reach the
 * client; 5xx detail is logged, never sent (the node-oidc-provider convention).
 */
export class OAuthError extends Error {
  override name = 'OAuthError';
  readonly expose: boolean;
  constructor(
    readonly status: number,
    readonly error: OAuthErrorCode,
    readonly description: string,
    readonly headers: Record<string, string> = {},
    /**
     * A machine-readable reason code sent as the `reason` member next to `error` (RFC 6749 §5.2
     * allows extra members), e.g. `task_quarantined`: docs/operator-api.md lists them.
     */
    readonly reason?: string,
  ) {
    super(description);
    this.expose = status < 500;
  }
}

// RFC 8693 §2.2.2: a bad subject_token or actor_token is invalid_request.
export const invalidRequest = (description: string, reason?: string) =>
  new OAuthError(400, 'invalid_request', description, {}, reason);
// RFC 6749 §5.2: client authentication failed (RFC 7523 client_assertion refused or missing).
// 401 rather than 400: the client did try to authenticate, only not with the Authorization header.
export const invalidClient = (description: string) => new OAuthError(401, 'invalid_client', description);
export const invalidTarget = (description: string) => new OAuthError(400, 'invalid_target', description);
export const invalidScope = (description: string, reason?: string) =>
  new OAuthError(400, 'invalid_scope', description, {}, reason);
// RFC 9396 §5: malformed or not-allowed authorization_details.
export const invalidAuthorizationDetails = (description: string) =>
  new OAuthError(400, 'invalid_authorization_details', description);
export const unsupportedGrantType = (description: string) =>
  new OAuthError(400, 'unsupported_grant_type', description);
export const slowDown = (retryAfterSeconds: number) =>
  new OAuthError(429, 'slow_down', 'too many requests', { 'Retry-After': String(retryAfterSeconds) });
export const temporarilyUnavailable = (description = 'the service cannot decide right now; retry later') =>
  new OAuthError(503, 'temporarily_unavailable', description, { 'Retry-After': '1' });
