/**
 * RFC 8693 §2.1: the grant type of a token-exchange request.
 *
 * @example
 * ```ts
 * new URLSearchParams({ grant_type: GRANT_TYPE_TOKEN_EXCHANGE, subject_token: svid });
 * ```
 */
export const GRANT_TYPE_TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

/**
 * RFC 8693 §3: token type identifiers used in `subject_token_type`, `issued_token_type`, etc.
 *
 * @example
 * ```ts
 * ({ subject_token_type: TOKEN_TYPE.jwt, actor_token_type: TOKEN_TYPE.jwt });
 * ```
 */
export const TOKEN_TYPE = {
  accessToken: 'urn:ietf:params:oauth:token-type:access_token',
  jwt: 'urn:ietf:params:oauth:token-type:jwt',
  idToken: 'urn:ietf:params:oauth:token-type:id_token',
} as const;

export type TokenType = (typeof TOKEN_TYPE)[keyof typeof TOKEN_TYPE];

/**
 * RFC 9068 §2.1: the JOSE `typ` header of a writ, so standard resource servers accept it.
 *
 * @example
 * ```ts
 * await jwtVerify(writ, jwks, { typ: WRIT_TYP }); // jose
 * ```
 */
export const WRIT_TYP = 'at+jwt';

/**
 * RFC 9396 §2: the `type` of Writ's single `authorization_details` entry.
 *
 * @example
 * ```ts
 * ({ type: AUTHORIZATION_DETAILS_TYPE, tools: ['jira.read'] });
 * ```
 */
export const AUTHORIZATION_DETAILS_TYPE = 'agent_task';

/**
 * Every scope token in a writ is `tool:<name>`.
 *
 * @example
 * ```ts
 * `${TOOL_SCOPE_PREFIX}jira.read`; // 'tool:jira.read'
 * ```
 */
export const TOOL_SCOPE_PREFIX = 'tool:';

/**
 * OAuth error codes Writ answers with: RFC 6749 §5.2, RFC 8693 §2.2.2 (`invalid_target`),
 * RFC 9396 §5 (`invalid_authorization_details`), RFC 6750 §3.1 (`invalid_token`,
 * `insufficient_scope`), RFC 8628 §3.5 (`slow_down`).
 *
 * @example
 * ```ts
 * return c.json({ error: OAUTH_ERROR.invalid_scope }, 400);
 * ```
 */
export const OAUTH_ERROR = {
  invalid_request: 'invalid_request',
  invalid_client: 'invalid_client',
  invalid_grant: 'invalid_grant',
  unauthorized_client: 'unauthorized_client',
  unsupported_grant_type: 'unsupported_grant_type',
  invalid_scope: 'invalid_scope',
  invalid_target: 'invalid_target',
  invalid_authorization_details: 'invalid_authorization_details',
  invalid_token: 'invalid_token',
  insufficient_scope: 'insufficient_scope',
  access_denied: 'access_denied',
  slow_down: 'slow_down',
  temporarily_unavailable: 'temporarily_unavailable',
  server_error: 'server_error',
  // RFC 7009 §2.2.1
  unsupported_token_type: 'unsupported_token_type',
} as const;

export type OAuthErrorCode = (typeof OAUTH_ERROR)[keyof typeof OAUTH_ERROR];

/**
 * True when `value` is one of {@link OAUTH_ERROR}'s codes.
 *
 * @example
 * ```ts
 * isOAuthErrorCode(body.error) ? body.error : 'server_error';
 * ```
 */
export function isOAuthErrorCode(value: unknown): value is OAuthErrorCode {
  return typeof value === 'string' && Object.hasOwn(OAUTH_ERROR, value);
}

/**
 * Data classes, ordered from least to most sensitive.
 *
 * @example
 * ```ts
 * DATA_CLASSES.includes(value as DataClass);
 * ```
 */
export const DATA_CLASSES = ['public', 'internal', 'confidential', 'restricted'] as const;

export type DataClass = (typeof DATA_CLASSES)[number];

/**
 * Position of `dc` in {@link DATA_CLASSES}: 0 for `public` up to 3 for `restricted`.
 *
 * @example
 * ```ts
 * dataClassRank('internal') < dataClassRank('confidential'); // true
 * ```
 */
export function dataClassRank(dc: DataClass): number {
  const rank = DATA_CLASSES.indexOf(dc);
  if (rank < 0) throw new TypeError(`unknown data class: ${String(dc)}`);
  return rank;
}

/**
 * True when `dc` is no more sensitive than `max`.
 *
 * @example
 * ```ts
 * dataClassAtMost('internal', 'confidential'); // true
 * dataClassAtMost('restricted', 'internal'); // false
 * ```
 */
export function dataClassAtMost(dc: DataClass, max: DataClass): boolean {
  return dataClassRank(dc) <= dataClassRank(max);
}

/**
 * The most sensitive class in `classes`, or `undefined` when it is empty.
 *
 * @example
 * ```ts
 * highestDataClass(['public', 'confidential']); // 'confidential'
 * ```
 */
export function highestDataClass(classes: readonly DataClass[]): DataClass | undefined {
  let highest: DataClass | undefined;
  for (const dc of classes) {
    if (highest === undefined || dataClassRank(dc) > dataClassRank(highest)) highest = dc;
  }
  return highest;
}

/**
 * Size bounds that keep a writ small and its parsing cheap.
 *
 * @example
 * ```ts
 * if (claims.task.chain.length >= LIMITS.maxChainDepth) throw new Error('too deep');
 * ```
 */
export const LIMITS = {
  maxTools: 128,
  maxResources: 128,
  maxChainDepth: 16,
  /** A root writ may carry one actor and every delegation adds one. */
  maxActDepth: 17,
  maxIntentLength: 200,
  /** `sub`, `client_id`, each actor: SPIFFE IDs (≤ 2048 by spec) and OIDC principals are capped here. */
  maxPrincipalLength: 1024,
  maxTtlSeconds: 86_400,
} as const;
