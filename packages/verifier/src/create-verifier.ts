import {
  type Action,
  type DataClass,
  parseWritClaims,
  permits as permitsOffline,
  WRIT_TYP,
  type WritClaims,
} from '@writ/claims';
import { createRemoteJWKSet, customFetch, jwtVerify } from 'jose';
import { type BrokerMetadata, DEFAULT_ALGORITHMS, fetchBrokerMetadata } from './broker-metadata.js';
import { WritError } from './errors.js';
import type { FetchLike } from './http.js';
import { introspect } from './introspection.js';
import { toWritError } from './jose-errors.js';
import { type AuthorizeDecision, authorizeOnline } from './online-authorize.js';
import type { VerifierOptions } from './options.js';
import { type FeedFollower, followRevocationFeed } from './revocations/feed-follower.js';
import { RevocationView } from './revocations/view.js';
import { checkTokenFormat } from './token-format.js';
import { VerifiedWritCache } from './verified-cache.js';

/** An action a writ holder wants to take: a tool, optionally a resource and a data class. */
export interface VerifierAction {
  tool: string;
  resource?: string;
  dataClass?: DataClass;
}

/** The offline plan check's answer. */
export interface PermitsResult {
  permitted: boolean;
  /** `tool_not_in_plan`, `resource_not_in_plan`, `data_class_not_in_plan`, `data_class_exceeds_task`. */
  reasons: string[];
}

/** A verifier of writs for one API (one audience); see createVerifier. */
export interface Verifier {
  /**
   * Verifies a writ and returns its claims, or throws a WritError with a stable code.
   * Feed mode: offline (a verified token is remembered, so a repeat costs microseconds);
   * introspection mode: one broker call.
   */
  verify(token: string): Promise<WritClaims>;
  /** The offline plan check: does this (verified) writ's plan cover the action? No budgets. */
  permits(writ: WritClaims, action: VerifierAction): PermitsResult;
  /**
   * Verifies the writ, then asks the broker (POST /v1/authorize): liveness, plan, Cedar and the
   * budgets, taken atomically and audited. Throws WritError when the writ is refused offline or
   * the broker's answer is unknown (ERR_WRIT_UNAVAILABLE: fail closed).
   */
  authorize(token: string, action: VerifierAction): Promise<AuthorizeDecision>;
  /** Resolves once keys are loaded and (feed mode) the revocation view is current. */
  ready(): Promise<void>;
  /** When the revocation view was last proven current (epoch ms); undefined before that. */
  readonly lastSyncAt: number | undefined;
  /** Milliseconds since lastSyncAt (Infinity before the first sync; 0 in introspection mode). */
  staleness(): number;
  /** The feed id the revocation view is consistent with. */
  readonly cursor: string | undefined;
  /** Stops following the feed; every later call throws ERR_WRIT_CLOSED. */
  close(): void;
}

interface Started {
  metadata: BrokerMetadata;
  jwks: ReturnType<typeof createRemoteJWKSet>;
}

const START_RETRY_MS = 1_000;

/**
 * Builds a verifier for writs addressed to `audience`. It finds the broker's keys and
 * algorithms through its RFC 8414 metadata, follows its revocations (or introspects), and
 * checks every writ the way the broker does: format, `typ` at+jwt, algorithm, signature, exact
 * `iss`, single `aud`, time with a bounded tolerance, the @writ/claims schema, then revocation of
 * the writ, its task, every ancestor task and its principals' and issuers' generations.
 *
 * @example
 * ```ts
 * import { createVerifier } from '@writ/verifier';
 *
 * const verifier = createVerifier({
 *   issuer: 'https://writ.example.com',
 *   audience: 'https://api.example.com',
 *   revocations: { mode: 'feed', operatorKey: process.env.WRIT_FEED_KEY! },
 * });
 * await verifier.ready();
 * const writ = await verifier.verify(token); // throws WritError (err.code) when refused
 * if (!verifier.permits(writ, { tool: 'jira.read' }).permitted) throw new Error('not in plan');
 * ```
 */
export function createVerifier(options: VerifierOptions): Verifier {
  const issuer = options.issuer.replace(/\/+$/, '');
  const brokerUrl = (options.brokerUrl ?? issuer).replace(/\/+$/, '');
  const fetchImpl: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 2_000;
  const tolerance = options.clockToleranceSec ?? 5;
  if (!(tolerance >= 0 && tolerance <= 60)) throw new TypeError('clockToleranceSec must be within 0..60');
  const maxStalenessMs = options.maxStalenessMs ?? 45_000;
  if (!(maxStalenessMs > 0)) throw new TypeError('maxStalenessMs must be positive');
  if (!options.audience) throw new TypeError('audience is required');
  const source = options.revocations;
  if (!source || (source.mode !== 'feed' && source.mode !== 'introspection') || !source.operatorKey) {
    throw new TypeError("revocations must be { mode: 'feed' | 'introspection', operatorKey }");
  }

  const cache = new VerifiedWritCache(options.cacheSize ?? 10_000);
  const view = new RevocationView();
  let follower: FeedFollower | undefined;
  let started: Started | undefined;
  let starting: Promise<Started> | undefined;
  let startFailure: { at: number; error: WritError } | undefined;
  let closed = false;

  const nowSeconds = () => now() / 1000;
  const isDead = (claims: WritClaims) => {
    const t = nowSeconds();
    return claims.exp <= t - tolerance || !view.liveness(claims, Math.floor(t)).live;
  };

  const startFeed = () => {
    if (follower || source.mode !== 'feed' || closed) return;
    follower = followRevocationFeed({
      fetch: fetchImpl,
      brokerUrl,
      operatorKey: source.operatorKey,
      view,
      now,
      timeoutMs,
      ...(source.backoff ? { backoff: source.backoff } : {}),
      // A revocation landed: drop the cached writs it ends, so they leave memory now.
      onChange: () => cache.sweep(isDead),
    });
  };

  const start = (): Promise<Started> => {
    startFeed();
    if (started) return Promise.resolve(started);
    if (startFailure && now() - startFailure.at < START_RETRY_MS) return Promise.reject(startFailure.error);
    starting ??= (async () => {
      const metadata = await fetchBrokerMetadata({
        fetch: fetchImpl,
        issuer,
        brokerUrl,
        allowedAlgorithms: options.algorithms ?? DEFAULT_ALGORITHMS,
        timeoutMs,
      });
      const jwks = createRemoteJWKSet(new URL(metadata.jwksUri), {
        timeoutDuration: timeoutMs,
        cooldownDuration: options.jwksCooldownMs ?? 30_000,
        cacheMaxAge: 10 * 60_000,
        [customFetch]: (url: string, init: RequestInit) => fetchImpl(url, init),
      });
      try {
        await jwks.reload();
      } catch (err) {
        throw toWritError(err);
      }
      started = { metadata, jwks };
      return started;
    })()
      .catch((err: unknown) => {
        const error =
          err instanceof WritError
            ? err
            : new WritError('ERR_WRIT_UNAVAILABLE', 'start failed', { cause: err });
        startFailure = { at: now(), error };
        throw error;
      })
      .finally(() => {
        starting = undefined;
      });
    return starting;
  };

  const verifySignature = async (token: string, s: Started): Promise<WritClaims> => {
    checkTokenFormat(token);
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, s.jwks, {
        issuer,
        audience: options.audience,
        // RFC 9068 §4: a resource server checks typ, so an identity token cannot pass as a writ.
        typ: WRIT_TYP,
        algorithms: s.metadata.algorithms,
        requiredClaims: ['exp', 'iat', 'nbf', 'jti', 'sub', 'aud'],
        clockTolerance: tolerance,
        currentDate: new Date(now()),
      }));
    } catch (err) {
      throw toWritError(err);
    }
    // jose accepts an array that contains the audience; a writ has exactly one (RFC 9068 §3 allows
    // more, Writ never issues them), so an array is a writ for someone else too.
    if (typeof payload.aud !== 'string')
      throw new WritError('ERR_WRIT_AUDIENCE', 'the writ has more than one audience');
    const parsed = parseWritClaims(payload);
    if (!parsed.ok)
      throw new WritError('ERR_WRIT_CLAIMS', `the writ's claims are not a writ: ${parsed.issues[0] ?? ''}`);
    return parsed.claims;
  };

  const checkTime = (claims: WritClaims, token: string) => {
    const t = nowSeconds();
    // The same rules as jose's: expired once exp <= now - tolerance; not yet once nbf > now + tolerance.
    if (claims.exp <= t - tolerance) {
      cache.delete(token);
      throw new WritError('ERR_WRIT_EXPIRED', 'the writ has expired');
    }
    if (claims.nbf > t + tolerance)
      throw new WritError('ERR_WRIT_NOT_YET_VALID', 'the writ is not valid yet');
  };

  const staleness = () => {
    if (source.mode !== 'feed') return 0;
    const at = follower?.lastSyncAt;
    return at === undefined ? Number.POSITIVE_INFINITY : Math.max(0, now() - at);
  };

  const verify = async (token: string): Promise<WritClaims> => {
    if (closed) throw new WritError('ERR_WRIT_CLOSED', 'the verifier is closed');
    if (typeof token !== 'string') throw new WritError('ERR_WRIT_MALFORMED', 'the writ is not a string');
    const s = started ?? (await start());
    let claims = cache.get(token);
    if (claims) {
      checkTime(claims, token);
    } else {
      claims = await verifySignature(token, s);
      cache.set(token, claims);
    }
    if (source.mode === 'feed') {
      // Fail closed: a view that cannot be shown current may be missing a revocation.
      if (staleness() > maxStalenessMs) {
        throw new WritError('ERR_WRIT_STALE_REVOCATIONS', 'the revocation view is stale');
      }
      const liveness = view.liveness(claims, Math.floor(nowSeconds()));
      if (!liveness.live) {
        cache.delete(token);
        throw new WritError('ERR_WRIT_REVOKED', `the writ is revoked (${liveness.reason})`);
      }
    } else {
      const active = await introspect({
        fetch: fetchImpl,
        endpoint: s.metadata.introspectionEndpoint,
        operatorKey: source.operatorKey,
        token,
        timeoutMs,
      });
      if (!active) throw new WritError('ERR_WRIT_REVOKED', 'the broker says the writ is not active');
    }
    return claims;
  };

  return {
    verify,
    permits(writ, action) {
      return permitsOffline(writ, toAction(action));
    },
    async authorize(token, action) {
      await verify(token);
      return authorizeOnline({
        fetch: fetchImpl,
        brokerUrl,
        audience: options.audience,
        token,
        action: toAction(action),
        timeoutMs,
      });
    },
    async ready() {
      await start();
      if (source.mode !== 'feed') return;
      await follower?.firstSync;
      // The first heartbeat may be needed (a slow snapshot is stale on arrival): wait a while.
      const deadline = Date.now() + 2 * Math.max(timeoutMs, maxStalenessMs);
      while (!closed && staleness() > maxStalenessMs && Date.now() < deadline) {
        if (follower?.lastSyncAt === undefined && follower?.lastError) {
          throw new WritError('ERR_WRIT_UNAVAILABLE', 'the revocation snapshot could not be loaded', {
            cause: follower.lastError,
          });
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      if (closed) throw new WritError('ERR_WRIT_CLOSED', 'the verifier is closed');
      if (staleness() > maxStalenessMs) {
        throw new WritError('ERR_WRIT_STALE_REVOCATIONS', 'the revocation view could not be loaded', {
          cause: follower?.lastError,
        });
      }
    },
    get lastSyncAt() {
      return source.mode === 'feed' ? follower?.lastSyncAt : undefined;
    },
    staleness,
    get cursor() {
      return view.cursor;
    },
    close() {
      closed = true;
      follower?.close();
    },
  };
}

function toAction(action: VerifierAction): Action {
  return {
    tool: action.tool,
    ...(action.resource !== undefined ? { resource: action.resource } : {}),
    ...(action.dataClass !== undefined ? { data_class: action.dataClass } : {}),
  };
}
