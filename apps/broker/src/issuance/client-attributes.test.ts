import { describe, expect, it } from 'vitest';
import {
  boundClientAttributes,
  MAX_CLIENT_ATTRIBUTE_LENGTH,
  MAX_CLIENT_ATTRIBUTES,
} from './client-attributes.js';

describe('boundClientAttributes', () => {
  it('keeps ordinary attributes as they are', () => {
    const attributes = {
      trust_domain: 'test.example',
      path: '/agents/a1',
      level: 3,
      admin: false,
      groups: ['a', 'b'],
    };
    expect(boundClientAttributes(attributes)).toEqual(attributes);
  });

  it('drops a value longer than the bound (never truncates it), as a policy would see it', () => {
    const limit = 'x'.repeat(MAX_CLIENT_ATTRIBUTE_LENGTH);
    const over = `${limit}y`;
    const list = ['a'.repeat(128), 'b'.repeat(127)]; // joined with "," → 256
    const longList = ['a'.repeat(128), 'b'.repeat(128)]; // joined → 257
    expect(boundClientAttributes({ limit, over, list, longList, ok: 'v' })).toEqual({ limit, list, ok: 'v' });
  });

  it('keeps at most 32 attributes, the first ones', () => {
    const attributes = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, `v${i}`]));
    const bounded = boundClientAttributes(attributes);
    expect(Object.keys(bounded)).toHaveLength(MAX_CLIENT_ATTRIBUTES);
    expect(Object.keys(bounded)).toEqual(Object.keys(attributes).slice(0, 32));
  });
});
