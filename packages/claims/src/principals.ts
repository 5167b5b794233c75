import { actorChain } from './act.js';
import type { WritClaims } from './writ-claims.js';

/**
 * Every principal a writ speaks for or through: `sub`, `client_id` and each actor. A principal
 * revocation applies to a writ that names the principal in any of these places.
 *
 * @example
 * ```ts
 * principalsOf(claims); // [sub, client_id, ...actors], each once
 * ```
 */
export function principalsOf(claims: WritClaims): string[] {
  return [...new Set([claims.sub, claims.client_id, ...actorChain(claims.act)])];
}

/**
 * The issuer id a principal name belongs to: `spiffe:<trust domain>` for a SPIFFE ID,
 * `oidc:<name>` for `oidc:<name>:<subject>`; undefined for anything else. Principals are
 * namespaced by issuer, so this is a pure function of the name.
 *
 * @example
 * ```ts
 * issuerOfPrincipal('spiffe://example.org/agents/a'); // 'spiffe:example.org'
 * ```
 */
export function issuerOfPrincipal(principal: string): string | undefined {
  const spiffe = /^spiffe:\/\/([^/]+)\//.exec(principal);
  if (spiffe) return `spiffe:${spiffe[1]}`;
  const oidc = /^oidc:([a-z0-9-]{1,40}):./.exec(principal);
  if (oidc) return `oidc:${oidc[1]}`;
  return undefined;
}

/**
 * Issuer ids of every principal of the writ (see principalsOf).
 *
 * @example
 * ```ts
 * issuersOf(claims); // ['spiffe:example.org']
 * ```
 */
export function issuersOf(claims: WritClaims): string[] {
  const issuers = principalsOf(claims)
    .map(issuerOfPrincipal)
    .filter((i): i is string => i !== undefined);
  return [...new Set(issuers)];
}
