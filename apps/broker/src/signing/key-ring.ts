import { createPrivateKey, type JsonWebKey, type KeyObject, sign as signBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, type JWTPayload } from 'jose';

export type SigningAlgorithm = 'ES256' | 'EdDSA';
export const SIGNING_ALGORITHMS: readonly SigningAlgorithm[] = ['ES256', 'EdDSA'];

export interface KeyRing {
  readonly activeKid: string;
  readonly algorithm: SigningAlgorithm;
  /** Public keys of every key in the ring (the active one and those kept for verification). */
  publicJwks(): { keys: JWK[] };
  /** A compact JWS (RFC 7515 §7.1) of `payload`, signed by the active key. */
  sign(payload: JWTPayload, typ: string): Promise<string>;
}

interface RingKey {
  kid: string;
  alg: SigningAlgorithm;
  privateKey: KeyObject;
  publicJwk: JWK;
}

export class KeyRingError extends Error {
  override name = 'KeyRingError';
}

/**
 * Loads a private JWK set. The first key signs; the others are published so writs they signed
 * still verify during a rotation.
 */
export async function loadKeyRing(path: string): Promise<KeyRing> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new KeyRingError(`cannot read signing key set ${path}: ${(err as Error).message}`);
  }
  const keys = (parsed as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new KeyRingError(`signing key set ${path} has no "keys" array`);
  }
  const ring: RingKey[] = [];
  for (const [index, jwk] of keys.entries())
    ring.push(await importRingKey(jwk as JWK, `${path} keys[${index}]`));
  return createKeyRing(ring);
}

/** Dev mode: one fresh key, gone when the process ends. */
export async function generateEphemeralKeyRing(alg: SigningAlgorithm = 'ES256'): Promise<KeyRing> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const key = createPrivateKey({ key: (await exportJWK(privateKey)) as JsonWebKey, format: 'jwk' });
  return createKeyRing([{ kid, alg, privateKey: key, publicJwk: { ...publicJwk, kid, alg, use: 'sig' } }]);
}

/** Writes a fresh private JWK set for operators (`writ keys generate`). */
export async function generatePrivateJwkSet(alg: SigningAlgorithm = 'ES256'): Promise<{ keys: JWK[] }> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(privateKey);
  const { d: _d, ...pub } = jwk;
  const kid = await calculateJwkThumbprint(pub);
  return { keys: [{ ...jwk, kid, alg, use: 'sig' }] };
}

async function importRingKey(jwk: JWK, where: string): Promise<RingKey> {
  const alg = jwk.alg as SigningAlgorithm | undefined;
  if (!alg || !SIGNING_ALGORITHMS.includes(alg)) {
    throw new KeyRingError(`${where}: "alg" must be one of ${SIGNING_ALGORITHMS.join(', ')}`);
  }
  if (typeof jwk.kid !== 'string' || jwk.kid.length === 0 || jwk.kid.length > 128) {
    throw new KeyRingError(`${where}: "kid" is required (1-128 characters)`);
  }
  if (typeof jwk.d !== 'string') throw new KeyRingError(`${where}: not a private key`);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
    checkKeyType(privateKey, alg);
  } catch (err) {
    throw new KeyRingError(`${where}: ${(err as Error).message}`);
  }
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, key_ops: _ops, ext: _ext, ...publicJwk } = jwk;
  return { kid: jwk.kid, alg, privateKey, publicJwk: { ...publicJwk, use: 'sig' } };
}

function createKeyRing(keys: RingKey[]): KeyRing {
  const kids = new Set(keys.map((k) => k.kid));
  if (kids.size !== keys.length) throw new KeyRingError('signing key set has duplicate "kid" values');
  const active = keys[0];
  if (!active) throw new KeyRingError('signing key set is empty');
  const jwks = { keys: keys.map((k) => ({ ...k.publicJwk, kid: k.kid, alg: k.alg })) };
  return {
    activeKid: active.kid,
    algorithm: active.alg,
    publicJwks: () => structuredClone(jwks),
    sign: async (payload, typ) => signCompact(active, typ, payload),
  };
}

const headerCache = new Map<string, string>();

/**
 * Signs with node:crypto directly: half the CPU of a WebCrypto round trip through jose, and the
 * output is the same compact JWS (jose verifies every writ the tests sign). ES256 signatures
 * are the raw r‖s form JWS requires (RFC 7518 §3.4), not DER.
 */
function signCompact(key: RingKey, typ: string, payload: JWTPayload): string {
  const cacheKey = `${key.kid}\n${typ}`;
  let header = headerCache.get(cacheKey);
  if (header === undefined) {
    header = Buffer.from(JSON.stringify({ alg: key.alg, kid: key.kid, typ })).toString('base64url');
    if (headerCache.size < 64) headerCache.set(cacheKey, header);
  }
  const input = `${header}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  const signature =
    key.alg === 'ES256'
      ? signBytes('sha256', Buffer.from(input), { key: key.privateKey, dsaEncoding: 'ieee-p1363' })
      : signBytes(null, Buffer.from(input), key.privateKey);
  return `${input}.${signature.toString('base64url')}`;
}

/** The key must be what its `alg` says: a P-256 key for ES256, an Ed25519 key for EdDSA. */
function checkKeyType(key: KeyObject, alg: SigningAlgorithm): void {
  const ok =
    alg === 'ES256'
      ? key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1'
      : key.asymmetricKeyType === 'ed25519';
  if (!ok) throw new Error(`the key does not fit "alg" ${alg}`);
}
