/** RFC 8693 §2.1 request parameters, as the route read them from the form body. */
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
