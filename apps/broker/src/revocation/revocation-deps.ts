import type { AuditLog } from '../audit/audit-log.js';
import type { Clock } from '../shared/clock.js';
import type { WritVerifier } from '../signing/index.js';
import type { WritStore } from '../store/index.js';
import type { RevocationFeed } from './feed.js';

/** Ports the revocation domain and its routes need; built once in deps.ts. */
export interface RevocationDeps {
  store: WritStore;
  writs: WritVerifier;
  audit: AuditLog;
  clock: Clock;
  feed: RevocationFeed;
  /** The longest a writ can live: how long a revoked jti the store has never seen is remembered. */
  maxWritTtlSeconds: number;
  /**
   * Every configured identity issuer id (`spiffe:<td>`, `oidc:<name>`) with how long after its
   * `iat` its tokens are accepted: a revocation naming another issuer is refused, and principal /
   * issuer marks are kept until the tokens they ban are too old anyway.
   */
  issuerTokenAges: ReadonlyMap<string, number>;
  /** SSE comment interval on the revocation stream, so proxies keep it open and clients see it alive. */
  heartbeatMs: number;
}
