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
  issuedAt: number;
  expiresAt: number;
  tokenId?: string;
}
