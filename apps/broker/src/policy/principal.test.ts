import { describe, expect, it } from 'vitest';
import { policyPrincipal } from './principal.js';

describe('policyPrincipal', () => {
  it('takes kind and trust domain from a SPIFFE issuer id', () => {
    expect(
      policyPrincipal({
        id: 'spiffe://prod.example.com/a',
        issuer: 'spiffe:prod.example.com',
        attributes: {},
      }),
    ).toEqual({
      id: 'spiffe://prod.example.com/a',
      kind: 'spiffe',
      issuer: 'spiffe:prod.example.com',
      trustDomain: 'prod.example.com',
      attributes: {},
    });
  });

  it('never takes a trust domain from an attribute an OIDC token carries', () => {
    expect(
      policyPrincipal({
        id: 'oidc:k8s:x',
        issuer: 'oidc:k8s',
        attributes: { trust_domain: 'prod.example.com' },
      }),
    ).toEqual({
      id: 'oidc:k8s:x',
      kind: 'oidc',
      issuer: 'oidc:k8s',
      trustDomain: '',
      attributes: { trust_domain: 'prod.example.com' },
    });
  });
});
