import { WritError } from './errors.js';
import { callBroker, type FetchLike, joinUrl, jsonOf } from './http.js';

/** What the verifier takes from the broker's RFC 8414 metadata. */
export interface BrokerMetadata {
  issuer: string;
  /** Where the keys are, re-based onto `brokerUrl` when the broker is reached by another URL. */
  jwksUri: string;
  /** Signing algorithms of writs: the metadata's list ∩ the verifier's allow-list. */
  algorithms: string[];
  introspectionEndpoint: string;
}

/** Writs are ES256 (default) or EdDSA; nothing else is ever accepted (no `none`, no HMAC). */
export const DEFAULT_ALGORITHMS: readonly string[] = ['ES256', 'EdDSA'];

/**
 * GET `<brokerUrl>/.well-known/oauth-authorization-server` (RFC 8414 §3). Its `issuer` must be
 * exactly the configured one (§3.3: otherwise the metadata is not the broker's).
 */
export async function fetchBrokerMetadata(options: {
  fetch: FetchLike;
  issuer: string;
  brokerUrl: string;
  allowedAlgorithms: readonly string[];
  timeoutMs: number;
}): Promise<BrokerMetadata> {
  const what = 'broker metadata';
  const res = await callBroker(
    options.fetch,
    joinUrl(options.brokerUrl, '/.well-known/oauth-authorization-server'),
    { headers: { accept: 'application/json' } },
    options.timeoutMs,
    what,
  );
  if (res.status !== 200) {
    await res.body?.cancel();
    throw new WritError('ERR_WRIT_UNAVAILABLE', `${what}: the broker answered ${res.status}`);
  }
  const body = (await jsonOf(res, what)) as Record<string, unknown> | null;
  if (!body || typeof body !== 'object' || body.issuer !== options.issuer) {
    throw new WritError('ERR_WRIT_UNAVAILABLE', `${what}: issuer is not ${options.issuer} (RFC 8414 §3.3)`);
  }
  const rebase = (value: unknown, fallback: string): string => {
    const url = typeof value === 'string' ? value : joinUrl(options.issuer, fallback);
    const issuer = options.issuer.replace(/\/+$/, '');
    return url.startsWith(`${issuer}/`) ? joinUrl(options.brokerUrl, url.slice(issuer.length)) : url;
  };
  const advertised = body.access_token_signing_alg_values_supported;
  const algorithms = Array.isArray(advertised)
    ? options.allowedAlgorithms.filter((alg) => advertised.includes(alg))
    : [...options.allowedAlgorithms];
  if (algorithms.length === 0) {
    throw new WritError('ERR_WRIT_UNAVAILABLE', `${what}: no writ signing algorithm is allowed`);
  }
  return {
    issuer: options.issuer,
    jwksUri: rebase(body.jwks_uri, '/.well-known/jwks.json'),
    algorithms,
    introspectionEndpoint: rebase(body.introspection_endpoint, '/oauth2/introspect'),
  };
}
