import { describe, expect, it } from 'vitest';
import { makeClaims } from '../test/fixtures.js';
import { issuerOfPrincipal, issuersOf, principalsOf } from './principals.js';

describe('principalsOf / issuersOf', () => {
  it('names sub, client_id and every actor once', () => {
    const claims = {
      ...makeClaims(),
      sub: 'spiffe://a.example/root',
      client_id: 'oidc:ci:worker',
      act: { sub: 'oidc:ci:worker', act: { sub: 'spiffe://b.example/mid' } },
    };
    expect(principalsOf(claims)).toEqual([
      'spiffe://a.example/root',
      'oidc:ci:worker',
      'spiffe://b.example/mid',
    ]);
    expect(issuersOf(claims)).toEqual(['spiffe:a.example', 'oidc:ci', 'spiffe:b.example']);
  });

  it.each([
    ['spiffe://prod.example.com/agents/x', 'spiffe:prod.example.com'],
    ['oidc:k8s-prod:system:serviceaccount:agents:x', 'oidc:k8s-prod'],
    ['oidc:Bad:x', undefined],
    ['spiffe://nopath', undefined],
    ['mallory', undefined],
  ])('issuerOfPrincipal(%s) = %s', (principal, issuer) => {
    expect(issuerOfPrincipal(principal)).toBe(issuer);
  });
});
