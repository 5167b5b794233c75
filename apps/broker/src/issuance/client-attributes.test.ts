import { describe, expect, it } from 'vitest';
import { clientAttributesProblem, MAX_CLIENT_ATTRIBUTE_LENGTH } from './client-attributes.js';

describe('clientAttributesProblem', () => {
  it('accepts ordinary attributes', () => {
    expect(
      clientAttributesProblem({
        trust_domain: 'test.example',
        path: '/a',
        level: 3,
        admin: false,
        groups: ['a'],
      }),
    ).toBeNull();
  });

  it('refuses a value longer than the bound, as a policy would see it (lists joined with ",")', () => {
    const limit = 'x'.repeat(MAX_CLIENT_ATTRIBUTE_LENGTH);
    expect(clientAttributesProblem({ limit, list: ['a'.repeat(128), 'b'.repeat(127)] })).toBeNull();
    expect(clientAttributesProblem({ over: `${limit}y` })).toBe('attribute_too_long');
    expect(clientAttributesProblem({ list: ['a'.repeat(128), 'b'.repeat(128)] })).toBe('attribute_too_long');
  });

  it('refuses more than 32 attributes', () => {
    const attributes = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, `v${i}`]));
    expect(clientAttributesProblem(attributes)).toBe('too_many_attributes');
  });
});
