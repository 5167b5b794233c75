import type { JSONWebKeySet, JWK } from 'jose';

/** Why a key set document was refused; logged, never sent to a client. */
export class KeySetLoadError extends Error {
  override name = 'KeySetLoadError';
  readonly kind:
    | 'network'
    | 'unreadable'
    | 'timeout'
    | 'status'
    | 'redirect'
    | 'too_large'
    | 'not_json'
    | 'invalid_set';

  constructor(kind: KeySetLoadError['kind'], detail: string, options?: { cause?: unknown }) {
    super(detail, options);
    this.kind = kind;
  }
}

/** A usable key set plus the refresh interval its publisher asked for, if any. */
export interface LoadedKeySet {
  jwks: JSONWebKeySet;
  refreshHintSeconds?: number;
}

export type KeyUse = 'jwt-svid' | 'sig';

// RFC 7518 §6.2.2, §6.3.2, §6.4.1 and RFC 8037 §2: members that only private or secret keys carry.
const PRIVATE_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']);
const MAX_KEYS = 100;

export function isPrivateKeyMember(name: string): boolean {
  return PRIVATE_MEMBERS.has(name);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates a JWK set document and keeps only verification keys for `use`: a SPIFFE bundle keeps
 * keys whose `use` is absent or `jwt-svid` (SPIFFE Trust Domain and Bundle §4.2.1; X.509 roots are
 * dropped), an OIDC set keeps `use` absent or `sig`. A set carrying any private or secret key
 * material is refused whole: its publisher is leaking keys and cannot be trusted.
 */
export function parseKeySet(document: unknown, use: KeyUse): LoadedKeySet {
  if (!isRecord(document) || !Array.isArray(document.keys)) {
    throw new KeySetLoadError('invalid_set', 'not a JWK set: no "keys" array');
  }
  if (document.keys.length > MAX_KEYS) throw new KeySetLoadError('invalid_set', `more than ${MAX_KEYS} keys`);
  const keys: JWK[] = [];
  for (const key of document.keys) {
    if (!isRecord(key) || typeof key.kty !== 'string') {
      throw new KeySetLoadError('invalid_set', 'a key is not a JWK object with "kty"');
    }
    if (Object.keys(key).some(isPrivateKeyMember)) {
      throw new KeySetLoadError('invalid_set', 'the set contains private or secret key material');
    }
    if (key.use !== undefined && key.use !== use) continue;
    // jose accepts only `use` absent or "sig"; the SPIFFE use value has served its purpose here.
    const { use: _use, ...rest } = key;
    keys.push(use === 'sig' ? (key as JWK) : (rest as JWK));
  }
  const hint = document.spiffe_refresh_hint;
  const loaded: LoadedKeySet = { jwks: { keys } };
  if (typeof hint === 'number' && Number.isFinite(hint)) loaded.refreshHintSeconds = hint;
  return loaded;
}
