import type { FetchLike } from './http.js';

/** Where revocations come from. */
export type RevocationSource =
  | {
      /**
       * Follow the broker's snapshot + SSE feed (docs/revocation.md) and decide offline. The
       * default for APIs: no broker call per request, revocations seen within milliseconds.
       */
      mode: 'feed';
      /** An operator key with the `feed` role (`writ_<id>_<secret>`). */
      operatorKey: string;
      /** Reconnect backoff bounds; default 100 ms doubling up to 5 s, with jitter. */
      backoff?: { initialMs: number; maxMs: number };
    }
  | {
      /** Ask the broker (RFC 7662 POST /oauth2/introspect) on every `verify`. */
      mode: 'introspection';
      /** An operator key with the `introspect` role. */
      operatorKey: string;
    };

/** How to build a verifier; see createVerifier. */
export interface VerifierOptions {
  /** The broker's issuer, exactly as writs name it in `iss` (e.g. `https://writ.example.com`). */
  issuer: string;
  /** This API's audience, exactly as writs name it in `aud`. */
  audience: string;
  revocations: RevocationSource;
  /**
   * Feed mode: refuse every writ (ERR_WRIT_STALE_REVOCATIONS) once the view has not been proven
   * current for this long. The broker sends a heartbeat every `revocations.heartbeat_ms` (15 s)
   * while idle, so keep this at least twice that. Default 45,000.
   */
  maxStalenessMs?: number;
  /** Leeway for `exp` and `nbf`, seconds; default 5, at most 60. */
  clockToleranceSec?: number;
  /** Where to reach the broker when it is not at `issuer` (a sidecar, a private address). */
  brokerUrl?: string;
  /** The fetch to use (a proxy agent, tests); default the global fetch. */
  fetch?: FetchLike;
  /** Algorithms to accept, intersected with the broker's metadata; default ES256 and EdDSA. */
  algorithms?: readonly string[];
  /** Verified writs remembered by their exact token string; default 10,000 (0 turns it off). */
  cacheSize?: number;
  /** Timeout of each broker call (metadata, keys, snapshot, introspection, authorize); default 2,000 ms. */
  timeoutMs?: number;
  /** After an unknown `kid`, the least time before the keys are fetched again; default 30,000 ms. */
  jwksCooldownMs?: number;
  /** The clock, epoch ms; for tests. */
  now?: () => number;
}
