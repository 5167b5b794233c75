import { describe, expect, it } from 'vitest';
import { parseSpiffeId, readTrustDomain } from './spiffe-id.js';

describe('parseSpiffeId', () => {
  it('parses a workload ID', () => {
    expect(parseSpiffeId('spiffe://example.org/ns/agents/sa/planner')).toEqual({
      trustDomain: 'example.org',
      path: '/ns/agents/sa/planner',
    });
    expect(parseSpiffeId('spiffe://a-b_c.9/A.b-c_9')).toEqual({ trustDomain: 'a-b_c.9', path: '/A.b-c_9' });
  });

  it.each([
    'spiffe://example.org',
    'spiffe://example.org/',
    'spiffe://example.org/a/',
    'spiffe://example.org//a',
    'spiffe://example.org/./a',
    'spiffe://example.org/a/..',
    'spiffe://example.org/a?x=1',
    'spiffe://example.org/a#frag',
    'spiffe://example.org:8443/a',
    'spiffe://user@example.org/a',
    'spiffe://Example.org/a',
    'SPIFFE://example.org/a',
    'https://example.org/a',
    'spiffe:///a',
    'spiffe://example.org/a%2Fb',
    'spiffe://example.org/a b',
    `spiffe://example.org/${'a'.repeat(2048)}`,
  ])('refuses %s', (id) => {
    expect(parseSpiffeId(id)).toBeUndefined();
  });

  it('refuses non-strings', () => {
    expect(parseSpiffeId(42)).toBeUndefined();
    expect(parseSpiffeId(undefined)).toBeUndefined();
  });
});

describe('readTrustDomain', () => {
  it('reads only well-formed trust domains', () => {
    expect(readTrustDomain('spiffe://example.org/x')).toBe('example.org');
    expect(readTrustDomain('spiffe://example.org')).toBe('example.org');
    expect(readTrustDomain('spiffe://example.org:1/x')).toBeUndefined();
    expect(readTrustDomain(['spiffe://example.org/x'])).toBeUndefined();
  });
});
