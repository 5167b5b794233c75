import { readFile, stat } from 'node:fs/promises';
import type { SpiffeTrustDomainConfig } from '../issuer-config.js';
import { createCachedKeySource, type KeySource } from './cached-key-source.js';
import { fetchJson } from './fetch-json.js';
import { KeySetLoadError, type LoadedKeySet, parseKeySet } from './key-set.js';
import type { KeySourceIo } from './key-source-io.js';

const MIN_REFRESH_SECONDS = 30;
const MAX_REFRESH_SECONDS = 86400;

async function readBundleFile(path: string, maxBytes: number): Promise<unknown> {
  let text: string;
  try {
    const info = await stat(path);
    if (info.size > maxBytes) throw new KeySetLoadError('too_large', `bundle file exceeds ${maxBytes} bytes`);
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof KeySetLoadError) throw error;
    throw new KeySetLoadError('unreadable', 'bundle file unreadable', { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new KeySetLoadError('not_json', 'bundle file is not JSON', { cause: error });
  }
}

/**
 * The JWT-SVID keys of one SPIFFE trust domain, from an inline bundle (static), a bundle file
 * (re-read as the refresh hint says, so a rotating sidecar can rewrite it) or a bundle endpoint URL.
 * SPIFFE Trust Domain and Bundle §4.1.2: the bundle's `spiffe_refresh_hint` overrides the configured
 * interval, clamped so a hostile hint can neither hammer the endpoint nor freeze the keys.
 */
export function createSpiffeBundleSource(config: SpiffeTrustDomainConfig, io: KeySourceIo): KeySource {
  const { bundle, bundle_file: file, bundle_url: url } = config;
  let load: (signal: AbortSignal) => Promise<LoadedKeySet>;
  if (bundle !== undefined) {
    const loaded = parseKeySet(bundle, 'jwt-svid');
    load = async () => loaded;
  } else if (file !== undefined) {
    load = async () => parseKeySet(await readBundleFile(file, io.maxBytes), 'jwt-svid');
  } else if (url !== undefined) {
    load = async (signal) => parseKeySet(await fetchJson(url, { ...io, signal }), 'jwt-svid');
  } else {
    throw new Error(`trust domain ${config.trust_domain} has no bundle source`);
  }
  return createCachedKeySource({
    issuerId: `spiffe:${config.trust_domain}`,
    load,
    refreshSeconds: (hint) => {
      if (bundle !== undefined) return undefined;
      if (hint === undefined) return config.refresh_hint_seconds;
      return Math.min(MAX_REFRESH_SECONDS, Math.max(MIN_REFRESH_SECONDS, hint));
    },
    cooldownMs: io.cooldownMs,
    clock: io.clock,
    logger: io.logger,
  });
}
