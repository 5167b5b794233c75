/**
 * Token endpoint request parameters, as the route read them from the form body: RFC 8693 §2.1
 * token exchange, and RFC 6749 §4.4 client credentials with an RFC 7523 client assertion.
 */
export interface TokenExchangeRequest {
  grant_type?: string;
  subject_token?: string;
  subject_token_type?: string;
  actor_token?: string;
  actor_token_type?: string;
  requested_token_type?: string;
  /** The worker principal a handoff names (RFC 8693 §4.4 `may_act`; docs/handoff.md). */
  may_act?: string;
  /** `audience` and RFC 8707 `resource` values; a writ has exactly one audience. */
  targets: string[];
  scope?: string;
  authorization_details?: string;
  /** RFC 7523 §2.2 client authentication of a `client_credentials` grant: the workload identity. */
  client_assertion?: string;
  client_assertion_type?: string;
  /** RFC 6749 §2.2; with `client_credentials`, when sent, the assertion's principal. */
  client_id?: string;
  requestId: string;
  /** The peer address, for the per-source budget on audit events written before any verification. */
  peer?: string;
}

/** RFC 8693 §2.2.1 response. */
export interface TokenExchangeResult {
  access_token: string;
  issued_token_type: string;
  /** RFC 8693 §2.2.1: `N_A` for a handoff, which is not an access token. */
  token_type: 'Bearer' | 'N_A';
  expires_in: number;
  scope: string;
  authorization_details: unknown[];
}
