import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidStoreInputError } from './errors.js';
import { createStoreKeys, isValidKeyId, KEY_PREFIX, MAX_PRINCIPAL_LENGTH } from './keys.js';

describe('createStoreKeys', () => {
  const keys = createStoreKeys();

  it('builds every key under the versioned prefix, task keys hash-tagged by task id', () => {
    expect(KEY_PREFIX).toBe('writ:v2:');
    expect(keys.dataset).toBe('writ:v2:dataset');
    expect(keys.audit).toBe('writ:v2:audit');
    expect(keys.task('T1')).toBe('writ:v2:t:{T1}');
    expect(keys.writ('T1', 'J1')).toBe('writ:v2:w:{T1}:J1');
    expect(keys.rateLimit('client:spiffe://example.org/a')).toBe('writ:v2:rl:client:spiffe://example.org/a');
  });

  it('takes a custom prefix and refuses a malformed one', () => {
    expect(createStoreKeys('writ:test:ab12:').task('T')).toBe('writ:test:ab12:t:{T}');
    expect(createStoreKeys(`${'a'.repeat(63)}:`).audit).toHaveLength(69);
    for (const prefix of ['writ:v1', '', 'a b:', 'writ:{x}:', 'writ:*:', `${'a'.repeat(64)}:`]) {
      expect(() => createStoreKeys(prefix), prefix).toThrow(InvalidStoreInputError);
    }
  });

  it.each(['', 'a{b', 'a}b', 'a b', 'a\tb', 'a\nb', 'a\u0000b', 'x'.repeat(129)])(
    'refuses the id %j',
    (id) => {
      expect(isValidKeyId(id)).toBe(false);
      expect(() => keys.task(id)).toThrow(InvalidStoreInputError);
      expect(() => keys.writ('T', id)).toThrow(InvalidStoreInputError);
      expect(() => keys.writ(id, 'J')).toThrow(InvalidStoreInputError);
    },
  );

  it('takes a rate limit key for any principal the store accepts, and caps it there', () => {
    const principal = `oidc:k8s:${'p'.repeat(MAX_PRINCIPAL_LENGTH - 'oidc:k8s:'.length)}`;
    expect(keys.rateLimit(`token:${principal}`)).toBe(`writ:v2:rl:token:${principal}`);
    expect(keys.rateLimit('k'.repeat(MAX_PRINCIPAL_LENGTH + 64))).toHaveLength('writ:v2:rl:'.length + 1088);
    expect(() => keys.rateLimit('k'.repeat(MAX_PRINCIPAL_LENGTH + 65))).toThrow(InvalidStoreInputError);
  });

  it('never lets an id open or close a hash tag', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 140 }), (id) => {
        let key: string;
        try {
          key = keys.task(id);
        } catch (error) {
          return error instanceof InvalidStoreInputError;
        }
        // Exactly one `{...}` pair, holding the whole id: the Cluster slot is the task's.
        return key === `writ:v2:t:{${id}}` && key.indexOf('{') === key.lastIndexOf('{') && !id.includes('}');
      }),
    );
  });
});
