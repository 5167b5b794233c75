import { describe, expect, it } from 'vitest';
import { oidcIssuerSchema, spiffeTrustDomainSchema, trustConfigSchema } from './issuer-config.js';

const jwk = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid: 'k1' };
const td = { trust_domain: 'example.org', bundle: { keys: [jwk] } };
const oidc = {
  name: 'cluster-a',
  issuer: 'https://k8s.example',
  jwks_uri: 'https://k8s.example/jwks',
  audience: 'writ',
};

function issuesOf(result: { success: boolean; error?: { issues: { message: string }[] } }): string[] {
  return result.error?.issues.map((issue) => issue.message) ?? [];
}

describe('spiffeTrustDomainSchema', () => {
  it('fills the documented defaults', () => {
    expect(spiffeTrustDomainSchema.parse(td)).toEqual({
      ...td,
      refresh_hint_seconds: 300,
      algorithms: ['ES256', 'ES384', 'RS256', 'PS256', 'EdDSA'],
      max_token_age_seconds: 3600,
      max_lifetime_seconds: 86400,
      clock_tolerance_seconds: 30,
    });
  });

  it.each(['none', 'NONE', 'nOnE', 'HS256', 'hs512', 'HS384'])('refuses algorithm %s', (alg) => {
    const result = spiffeTrustDomainSchema.safeParse({ ...td, algorithms: [alg] });
    expect(result).toMatchObject({ success: false });
    expect(issuesOf(result)[0]).toContain('refused');
  });

  it('refuses an unknown algorithm and a duplicate one', () => {
    expect(spiffeTrustDomainSchema.safeParse({ ...td, algorithms: ['ES256K'] })).toMatchObject({
      success: false,
    });
    expect(spiffeTrustDomainSchema.safeParse({ ...td, algorithms: ['ES256', 'ES256'] })).toMatchObject({
      success: false,
    });
    expect(spiffeTrustDomainSchema.safeParse({ ...td, algorithms: [] })).toMatchObject({ success: false });
  });

  it('requires exactly one bundle source', () => {
    expect(spiffeTrustDomainSchema.safeParse({ trust_domain: 'example.org' })).toMatchObject({
      success: false,
    });
    const two = spiffeTrustDomainSchema.safeParse({ ...td, bundle_file: '/etc/bundle.json' });
    expect(issuesOf(two)).toEqual(['set exactly one of bundle_file, bundle_url, bundle']);
    expect(
      spiffeTrustDomainSchema.safeParse({ trust_domain: 'example.org', bundle_file: '/b.json' }),
    ).toMatchObject({ success: true });
  });

  it('accepts https bundle URLs and http only on loopback', () => {
    const url = (bundle_url: string) =>
      spiffeTrustDomainSchema.safeParse({ trust_domain: 'a.org', bundle_url });
    expect(url('https://spire.example/bundle')).toMatchObject({ success: true });
    expect(url('http://127.0.0.1:8443/bundle')).toMatchObject({ success: true });
    expect(url('http://[::1]:8443/bundle')).toMatchObject({ success: true });
    expect(url('http://localhost/bundle')).toMatchObject({ success: true });
    expect(url('http://spire.example/bundle')).toMatchObject({ success: false });
    expect(url('http://127.0.0.1.evil.example/bundle')).toMatchObject({ success: false });
    expect(url('https://user:pw@spire.example/bundle')).toMatchObject({ success: false });
    expect(url('file:///etc/passwd')).toMatchObject({ success: false });
  });

  it.each(['Example.org', 'example.org:443', 'user@example.org', '', 'exa mple.org', 'spiffe://example.org'])(
    'refuses trust domain %j',
    (trust_domain) => {
      expect(spiffeTrustDomainSchema.safeParse({ ...td, trust_domain })).toMatchObject({ success: false });
    },
  );

  it('bounds clock tolerance to 0..60 and refuses unknown fields', () => {
    expect(spiffeTrustDomainSchema.safeParse({ ...td, clock_tolerance_seconds: 61 })).toMatchObject({
      success: false,
    });
    expect(spiffeTrustDomainSchema.safeParse({ ...td, clock_tolerance_seconds: -1 })).toMatchObject({
      success: false,
    });
    expect(spiffeTrustDomainSchema.safeParse({ ...td, clock_tolerance_seconds: 60 })).toMatchObject({
      success: true,
    });
    expect(spiffeTrustDomainSchema.safeParse({ ...td, audiance: 'x' })).toMatchObject({ success: false });
  });

  it('refuses an inline bundle with private key material', () => {
    const result = spiffeTrustDomainSchema.safeParse({ ...td, bundle: { keys: [{ ...jwk, d: 'secret' }] } });
    expect(issuesOf(result)).toEqual(['a trust bundle must contain public keys only']);
    expect(
      spiffeTrustDomainSchema.safeParse({ ...td, bundle: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } }),
    ).toMatchObject({ success: false });
  });
});

describe('oidcIssuerSchema', () => {
  it('defaults principal_claim to sub', () => {
    expect(oidcIssuerSchema.parse(oidc).principal_claim).toBe('sub');
  });

  it('requires exactly one of discovery and jwks_uri', () => {
    const both = oidcIssuerSchema.safeParse({ ...oidc, discovery: true });
    expect(issuesOf(both)).toEqual(['set exactly one of discovery: true or jwks_uri']);
    const neither = oidcIssuerSchema.safeParse({ ...oidc, jwks_uri: undefined });
    expect(neither).toMatchObject({ success: false });
    expect(oidcIssuerSchema.safeParse({ ...oidc, jwks_uri: undefined, discovery: true })).toMatchObject({
      success: true,
    });
  });

  it('refuses discovery over plain http off loopback', () => {
    const result = oidcIssuerSchema.safeParse({
      ...oidc,
      issuer: 'http://idp.example',
      jwks_uri: undefined,
      discovery: true,
    });
    expect(result).toMatchObject({ success: false });
  });

  it.each(['Cluster', 'a_b', '', 'x'.repeat(41), 'a b'])('refuses name %j', (name) => {
    expect(oidcIssuerSchema.safeParse({ ...oidc, name })).toMatchObject({ success: false });
  });

  it('requires an audience and accepts bound claims as string or list', () => {
    expect(oidcIssuerSchema.safeParse({ ...oidc, audience: undefined })).toMatchObject({ success: false });
    const parsed = oidcIssuerSchema.parse({ ...oidc, bound_claims: { ns: ['a', 'b'], env: 'prod' } });
    expect(parsed.bound_claims).toEqual({ ns: ['a', 'b'], env: 'prod' });
    expect(oidcIssuerSchema.safeParse({ ...oidc, bound_claims: { ns: 3 } })).toMatchObject({
      success: false,
    });
  });
});

describe('trustConfigSchema', () => {
  it('defaults both lists to empty', () => {
    expect(trustConfigSchema.parse({})).toEqual({ spiffe: [], oidc: [] });
  });

  it('refuses duplicate trust domains, oidc names and oidc issuers', () => {
    expect(issuesOf(trustConfigSchema.safeParse({ spiffe: [td, td] }))).toEqual([
      'duplicate trust domain example.org',
    ]);
    expect(
      issuesOf(trustConfigSchema.safeParse({ oidc: [oidc, { ...oidc, issuer: 'https://other.example' }] })),
    ).toEqual(['duplicate oidc name cluster-a']);
    expect(issuesOf(trustConfigSchema.safeParse({ oidc: [oidc, { ...oidc, name: 'cluster-b' }] }))).toEqual([
      'duplicate oidc issuer https://k8s.example',
    ]);
  });

  it('refuses a trust domain whose issuer is also an oidc issuer', () => {
    const result = trustConfigSchema.safeParse({ spiffe: [{ ...td, issuer: oidc.issuer }], oidc: [oidc] });
    expect(issuesOf(result)).toEqual(['trust domain example.org shares its issuer with an oidc issuer']);
  });
});
