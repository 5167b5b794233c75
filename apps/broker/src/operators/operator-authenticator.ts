import type { OperatorRole } from '../store/index.js';

/** Who an authenticated operator request comes from. Ids only, never the key. */
export interface OperatorIdentity {
  keyId: string;
  roles: OperatorRole[];
}

/**
 * Checks `Authorization: Bearer writ_<id>_<secret>`. Throws an OAuthError: 401 `invalid_token`
 * with one identical body for a missing, malformed, unknown, wrong or disabled key; 429
 * `slow_down` when failed attempts from `clientKey` are over their limit; 503 when it can't know.
 */
export interface OperatorAuthenticator {
  /** `requestId` names the request in the `operator.auth_failed` audit event. */
  authenticate(
    authorization: string | undefined,
    clientKey: string,
    requestId?: string,
  ): Promise<OperatorIdentity>;
  /**
   * Passes when the identity holds one of `roles` (admin holds all); otherwise audits
   * `operator.denied` with the key id and throws 403 `insufficient_scope`.
   */
  requireRole(
    identity: OperatorIdentity,
    roles: OperatorRole[],
    requestId: string,
    action: string,
  ): Promise<void>;
  /**
   * For the early refusal before the app: seconds until this key attempt from `clientKey` may be
   * tried again (its address or its key id is blocked for failed attempts); null when it is not
   * blocked, when no well-formed key is presented, or when the key verified recently.
   */
  blockedFor(clientKey: string, authorization: string | undefined): number | null;
}

/** `admin` may do everything; every other role grants exactly itself. */
export function hasRole(identity: OperatorIdentity, role: OperatorRole): boolean {
  return identity.roles.includes('admin') || identity.roles.includes(role);
}
