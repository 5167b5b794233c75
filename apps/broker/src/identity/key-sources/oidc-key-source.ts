import type { OidcIssuerConfig } from '../issuer-config.js';
import { createCachedKeySource, type KeySource } from './cached-key-source.js';
import { fetchJson } from './fetch-json.js';
import { KeySetLoadError, parseKeySet } from './key-set.js';
import type { KeySourceIo } from './key-source-io.js';
import { isFetchableUrl } from './url-policy.js';

const REFRESH_SECONDS = 300;

/** OpenID Connect Discovery 1.0 §4: the configuration lives under the issuer's path. */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

async function discoverJwksUri(
  config: OidcIssuerConfig,
  io: KeySourceIo,
  signal: AbortSignal,
): Promise<string> {
  const document = await fetchJson(discoveryUrl(config.issuer), { ...io, signal });
  if (typeof document !== 'object' || document === null) {
    throw new KeySetLoadError('invalid_set', 'discovery document is not an object');
  }
  const { issuer, jwks_uri: jwksUri } = document as Record<string, unknown>;
  // OpenID Connect Discovery 1.0 §4.3: the document's issuer must be exactly the one configured.
  if (issuer !== config.issuer) throw new KeySetLoadError('invalid_set', 'discovery issuer mismatch');
  if (typeof jwksUri !== 'string' || !isFetchableUrl(jwksUri)) {
    throw new KeySetLoadError('invalid_set', 'discovery jwks_uri missing or not https');
  }
  return jwksUri;
}

/**
 * The signing keys of one OIDC issuer, from its configured `jwks_uri` or found through discovery
 * (re-discovered on every reload, so a moved `jwks_uri` is followed).
 */
export function createOidcKeySource(config: OidcIssuerConfig, io: KeySourceIo): KeySource {
  return createCachedKeySource({
    issuerId: `oidc:${config.name}`,
    async load(signal) {
      const jwksUri = config.jwks_uri ?? (await discoverJwksUri(config, io, signal));
      return parseKeySet(await fetchJson(jwksUri, { ...io, signal }), 'sig');
    },
    refreshSeconds: () => REFRESH_SECONDS,
    cooldownMs: io.cooldownMs,
    clock: io.clock,
    logger: io.logger,
  });
}
