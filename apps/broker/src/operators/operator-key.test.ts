import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatOperatorKey,
  generateKeyId,
  generateOperatorKey,
  isKeyId,
  parseOperatorKey,
  readBearer,
} from './operator-key.js';

describe('operator key format', () => {
  it('generates writ_<16 base32>_<43 base64url> and parses it back', () => {
    const { id, secret, key } = generateOperatorKey();
    expect(key).toMatch(/^writ_[a-z2-7]{16}_[A-Za-z0-9_-]{43}$/);
    expect(key).toBe(`writ_${id}_${secret}`);
    expect(parseOperatorKey(key)).toEqual({ id, secret });
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
  });

  it('generates distinct ids and secrets', () => {
    const keys = Array.from({ length: 200 }, () => generateOperatorKey());
    expect(new Set(keys.map((k) => k.id)).size).toBe(200);
    expect(new Set(keys.map((k) => k.secret)).size).toBe(200);
    expect(keys.map((k) => k.id).filter((id) => !isKeyId(id))).toEqual([]);
  });

  it('keeps the id when rotating a secret', () => {
    const id = generateKeyId();
    expect(generateOperatorKey(id).id).toBe(id);
  });

  const valid = generateOperatorKey();
  it.each([
    ['empty', ''],
    ['wrong prefix', valid.key.replace('writ_', 'writ-')],
    ['upper-case prefix', valid.key.replace('writ_', 'WRIT_')],
    ['upper-case id', formatOperatorKey(valid.id.toUpperCase(), valid.secret)],
    ['id with 0/1/8/9', formatOperatorKey('0189abcdefghijkl', valid.secret)],
    ['short id', `writ_${valid.id.slice(1)}_${valid.secret}a`],
    ['wrong separator', `writ_${valid.id}-${valid.secret}`],
    ['short secret', formatOperatorKey(valid.id, valid.secret.slice(1))],
    ['long secret', formatOperatorKey(valid.id, `${valid.secret}A`)],
    ['padded secret', formatOperatorKey(valid.id, `${valid.secret.slice(1)}=`)],
    ['base64 (not url) secret', formatOperatorKey(valid.id, `${valid.secret.slice(1)}+`)],
    ['whitespace', ` ${valid.key}`],
  ])('rejects %s', (_name, key) => {
    expect(parseOperatorKey(key)).toBeNull();
  });

  it('never accepts a mutation that changes the length or the alphabet', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (junk) => {
        const parsed = parseOperatorKey(junk);
        if (parsed) expect(formatOperatorKey(parsed.id, parsed.secret)).toBe(junk);
      }),
    );
    fc.assert(
      fc.property(
        fc.nat(valid.key.length - 1),
        fc.constantFrom('.', ' ', '/', '+', 'Z', '\u00e9'),
        (at, ch) => {
          // Replacing a character by itself is no mutation.
          fc.pre(valid.key[at] !== ch);
          const mutated = valid.key.slice(0, at) + ch + valid.key.slice(at + 1);
          const parsed = parseOperatorKey(mutated);
          // Only a character still inside that position's alphabet may parse, and then it is a different key.
          if (parsed) expect(mutated).not.toBe(valid.key);
          if (at < 21 && ch !== 'Z') expect(parsed).toBeNull();
        },
      ),
    );
  });

  it('reads exactly one Bearer credential (RFC 6750 §2.1)', () => {
    expect(readBearer(`Bearer ${valid.key}`)).toBe(valid.key);
    expect(readBearer(`bearer ${valid.key}`)).toBe(valid.key);
    expect(readBearer(undefined)).toBeNull();
    expect(readBearer('')).toBeNull();
    expect(readBearer('Bearer')).toBeNull();
    expect(readBearer('Bearer ')).toBeNull();
    expect(readBearer(`Basic ${valid.key}`)).toBeNull();
    expect(readBearer(`Bearer ${valid.key} extra`)).toBeNull();
    expect(readBearer(`Bearer  ${valid.key}`)).toBeNull();
  });
});
