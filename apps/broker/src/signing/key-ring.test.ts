import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { createLocalJWKSet, decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  generateEphemeralKeyRing,
  generatePrivateJwkSet,
  KeyRingError,
  loadKeyRing,
  type SigningAlgorithm,
} from './key-ring.js';

const ALGORITHMS: SigningAlgorithm[] = ['ES256', 'EdDSA'];

async function writeKeySet(set: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'writ-keys-'));
  const path = join(dir, 'keys.json');
  await writeFile(path, JSON.stringify(set));
  return path;
}

describe('key ring signing (node:crypto), verified by jose', () => {
  it.each(ALGORITHMS)('an ephemeral %s ring signs what jose verifies against its JWKS', async (alg) => {
    const ring = await generateEphemeralKeyRing(alg);
    const token = await ring.sign({ sub: 'spiffe://dev.local/a', iat: 1, exp: 4_000_000_000 }, 'at+jwt');
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(ring.publicJwks()), {
      typ: 'at+jwt',
      algorithms: [alg],
    });
    expect(protectedHeader).toEqual({ alg, kid: ring.activeKid, typ: 'at+jwt' });
    expect(payload).toEqual({ sub: 'spiffe://dev.local/a', iat: 1, exp: 4_000_000_000 });
  });

  it.each(ALGORITHMS)('a %s key set loaded from a file signs with its first key', async (alg) => {
    const first = await generatePrivateJwkSet(alg);
    const second = await generatePrivateJwkSet(alg);
    const ring = await loadKeyRing(await writeKeySet({ keys: [...first.keys, ...second.keys] }));
    const token = await ring.sign({ jti: 'x' }, 'at+jwt');
    expect(decodeProtectedHeader(token).kid).toBe(first.keys[0]?.kid);
    await expect(
      jwtVerify(token, createLocalJWKSet(ring.publicJwks()), { algorithms: [alg] }),
    ).resolves.toMatchObject({ payload: { jti: 'x' } });
  });

  it('every payload round-trips through jose verification (property)', async () => {
    const ring = await generateEphemeralKeyRing('ES256');
    const keys = createLocalJWKSet(ring.publicJwks());
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 12 }), fc.jsonValue({ maxDepth: 2 })),
        async (claims) => {
          const payload = JSON.parse(JSON.stringify(claims)) as Record<string, unknown>;
          // jose checks these registered claims' types; the broker always sets them as numbers.
          for (const name of ['exp', 'nbf', 'iat', 'iss', 'sub', 'aud', 'jti']) delete payload[name];
          const token = await ring.sign(payload, 'at+jwt');
          const verified = await jwtVerify(token, keys, { algorithms: ['ES256'] });
          expect(verified.payload).toEqual(payload);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses a key whose type does not fit its alg', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), kid: 'k1', alg: 'EdDSA' };
    await expect(loadKeyRing(await writeKeySet({ keys: [jwk] }))).rejects.toThrow(KeyRingError);
    await expect(loadKeyRing(await writeKeySet({ keys: [jwk] }))).rejects.toThrow(/does not fit "alg" EdDSA/);
  });
});
