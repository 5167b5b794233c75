import { describe, expect, it } from 'vitest';
import { generateEphemeralKeyRing } from '../signing/index.js';
import { isCanonicalCompactJws } from './canonical-jws.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('isCanonicalCompactJws', () => {
  it('accepts what the key ring signs and no other spelling of the same signature', async () => {
    const ring = await generateEphemeralKeyRing('ES256');
    const token = await ring.sign({ sub: 'x' }, 'at+jwt');
    expect(isCanonicalCompactJws(token)).toBe(true);
    const bytes = (t: string) => Buffer.from(t.split('.')[2] ?? '', 'base64url').toString('hex');
    const sameBytes = [...ALPHABET]
      .filter((c) => c !== token.at(-1))
      .map((c) => `${token.slice(0, -1)}${c}`)
      .filter((variant) => bytes(variant) === bytes(token));
    // ES256: 64 bytes in 86 characters leave 4 spare bits, so 15 other spellings decode alike.
    expect(sameBytes).toHaveLength(15);
    expect(sameBytes.filter(isCanonicalCompactJws)).toEqual([]);
  });

  it.each(['a.b', 'a.b.c.d', 'a+b.c.d', 'eyJ.e30.', `${'A'.repeat(16 * 1024)}.e30.e30`])(
    'refuses malformed input %#',
    (token) => {
      expect(isCanonicalCompactJws(token)).toBe(false);
    },
  );

  it('accepts an empty signature segment (alg none is refused later, by the verifier)', () => {
    expect(isCanonicalCompactJws('e30.e30.')).toBe(true);
  });
});
