/** Stable reason codes for a workload token the broker refuses (answered 400 invalid_request). */
export type IdentityErrorReason =
  | 'malformed'
  | 'too_large'
  | 'alg_not_allowed'
  | 'forbidden_header'
  | 'untrusted_issuer'
  | 'bad_signature'
  | 'expired'
  | 'not_yet_valid'
  | 'too_old'
  | 'lifetime_exceeded'
  | 'missing_claim'
  | 'bad_audience'
  | 'bad_subject'
  | 'bound_claim_mismatch'
  | 'is_writ'
  | 'unknown_key';

const messages: Record<IdentityErrorReason, string> = {
  malformed: 'the identity token is not a well-formed compact JWS',
  too_large: 'the identity token is too large',
  alg_not_allowed: 'the identity token algorithm is not allowed for its issuer',
  forbidden_header: 'the identity token carries a header parameter the broker never honours',
  untrusted_issuer: 'the identity token issuer is not trusted',
  bad_signature: 'the identity token signature is invalid',
  expired: 'the identity token has expired',
  not_yet_valid: 'the identity token is not valid yet',
  too_old: 'the identity token was issued too long ago',
  lifetime_exceeded: 'the identity token lifetime exceeds the issuer cap',
  missing_claim: 'the identity token lacks a required claim',
  bad_audience: 'the identity token audience must be exactly the broker',
  bad_subject: 'the identity token subject is not acceptable',
  bound_claim_mismatch: 'the identity token claims do not match the issuer bindings',
  is_writ: 'a writ cannot be used as a workload identity',
  unknown_key: 'the identity token key is not in the issuer key set',
};

/**
 * A workload token was refused. `reason` is stable (for audit and tests); `message` is fixed text
 * per reason, safe to show a client: it never contains token content.
 */
export class IdentityError extends Error {
  override name = 'IdentityError';
  readonly reason: IdentityErrorReason;

  constructor(reason: IdentityErrorReason, options?: { cause?: unknown }) {
    super(messages[reason], options);
    this.reason = reason;
  }
}

/** The issuer's keys could not be obtained and nothing cached can decide: the answer is unknown → 503. */
export class IdentityUnavailableError extends Error {
  override name = 'IdentityUnavailableError';
  readonly issuerId: string;

  constructor(issuerId: string, options?: { cause?: unknown }) {
    super('the identity issuer keys are temporarily unavailable', options);
    this.issuerId = issuerId;
  }
}
