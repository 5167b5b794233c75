export type AttributeValue = string | number | boolean | string[];

/** Who a verified workload token says the caller is, in the broker's namespace. */
export interface WorkloadIdentity {
  /** Unique across issuers: a SPIFFE ID, or `oidc:<issuer name>:<principal claim>`. */
  principal: string;
  /** `spiffe:<trust domain>` or `oidc:<issuer name>`. */
  issuerId: string;
  kind: 'spiffe' | 'oidc';
  /** The token's `sub`. */
  subject: string;
  attributes: Record<string, AttributeValue>;
  /** The token's `iat` (epoch s); an operator's revocation bans tokens issued at or before it. */
  issuedAt: number;
  expiresAt: number;
  /**
   * How long after its `iat` this issuer's tokens are accepted (max_token_age_seconds plus the
   * clock tolerance): how long a revocation must keep refusing a token issued before it.
   */
  maxTokenAgeSeconds: number;
  tokenId?: string;
}
