/**
 * Every reason `verify` (and the adapters) can refuse a writ, as a stable code, like jose's
 * `ERR_JWT_EXPIRED`. The set is closed: a new code is a breaking change.
 */
export type WritErrorCode =
  /** Not a string, too large, not three canonical base64url segments, or an unreadable header. */
  | 'ERR_WRIT_MALFORMED'
  /** The JWS `typ` header is not `at+jwt` (RFC 9068 §4): an identity token is no writ. */
  | 'ERR_WRIT_TYPE'
  /** The algorithm is not in the allow-list (the broker's metadata ∩ the verifier's options). */
  | 'ERR_WRIT_ALGORITHM'
  /** No broker key matches, or the signature does not verify. */
  | 'ERR_WRIT_SIGNATURE'
  /** `iss` is not exactly the broker's issuer. */
  | 'ERR_WRIT_ISSUER'
  /** `aud` is not exactly this API's audience (an array is refused too: writs have one). */
  | 'ERR_WRIT_AUDIENCE'
  /** `exp` has passed (beyond the clock tolerance). */
  | 'ERR_WRIT_EXPIRED'
  /** `nbf` is in the future (beyond the clock tolerance). */
  | 'ERR_WRIT_NOT_YET_VALID'
  /** A required claim is missing or the claims are not a writ (the @writ/claims schema). */
  | 'ERR_WRIT_CLAIMS'
  /** The writ, its task, an ancestor task, a principal, an issuer or everything was revoked. */
  | 'ERR_WRIT_REVOKED'
  /** The revocation view is older than `maxStalenessMs`: the verifier cannot know, so it refuses. */
  | 'ERR_WRIT_STALE_REVOCATIONS'
  /** The broker (metadata, keys, introspection, authorize) could not be reached or answered oddly. */
  | 'ERR_WRIT_UNAVAILABLE'
  /** The verifier was closed. */
  | 'ERR_WRIT_CLOSED';

/** The codes as a list, for exhaustive tests and maps. */
export const WRIT_ERROR_CODES: readonly WritErrorCode[] = [
  'ERR_WRIT_MALFORMED',
  'ERR_WRIT_TYPE',
  'ERR_WRIT_ALGORITHM',
  'ERR_WRIT_SIGNATURE',
  'ERR_WRIT_ISSUER',
  'ERR_WRIT_AUDIENCE',
  'ERR_WRIT_EXPIRED',
  'ERR_WRIT_NOT_YET_VALID',
  'ERR_WRIT_CLAIMS',
  'ERR_WRIT_REVOKED',
  'ERR_WRIT_STALE_REVOCATIONS',
  'ERR_WRIT_UNAVAILABLE',
  'ERR_WRIT_CLOSED',
];

/**
 * Why a writ was refused. `code` is stable; `message` is for logs and never contains the token.
 *
 * @example
 * ```ts
 * try {
 *   await verifier.verify(token);
 * } catch (err) {
 *   if (err instanceof WritError && err.code === 'ERR_WRIT_REVOKED') return res.status(401).end();
 *   throw err;
 * }
 * ```
 */
export class WritError extends Error {
  override name = 'WritError';
  readonly code: WritErrorCode;
  constructor(code: WritErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /**
   * True for the codes where the broker or the view is at fault, not the token: answer 503 and
   * let the caller retry, never 401.
   *
   * @example
   * ```ts
   * const status = err.unavailable ? 503 : 401;
   * ```
   */
  get unavailable(): boolean {
    return (
      this.code === 'ERR_WRIT_UNAVAILABLE' ||
      this.code === 'ERR_WRIT_STALE_REVOCATIONS' ||
      this.code === 'ERR_WRIT_CLOSED'
    );
  }
}
