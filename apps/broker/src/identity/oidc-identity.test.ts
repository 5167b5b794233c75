import { describe, expect, it } from 'vitest';
import { IdentityError } from './errors.js';
import { oidcIssuerSchema } from './issuer-config.js';
import { toOidcIdentity } from './oidc-identity.js';

const config = oidcIssuerSchema.parse({
  name: 'github',
  issuer: 'https://token.actions.githubusercontent.com',
  jwks_uri: 'https://token.actions.githubusercontent.com/.well-known/jwks',
  audience: 'https://writ.example.com',
  principal_claim: 'job_workflow_ref',
  attribute_claims: ['repository'],
});
const times = { issuedAt: 1_700_000_000, expiresAt: 1_700_000_300, maxTokenAgeSeconds: 3630 };
const ref = 'example/web/.github/workflows/deploy.yml@refs/heads/main';

function map(principal: unknown) {
  return toOidcIdentity(
    config,
    { sub: 'repo:example/web:ref:refs/heads/main', job_workflow_ref: principal, repository: 'example/web' },
    times,
  );
}

function reasonOf(principal: unknown): string {
  try {
    map(principal);
  } catch (err) {
    if (err instanceof IdentityError) return err.reason;
    throw err;
  }
  return 'accepted';
}

describe('toOidcIdentity: the principal claim', () => {
  it('maps an ordinary value to oidc:<issuer name>:<value>', () => {
    expect(map(ref)).toEqual({
      principal: `oidc:github:${ref}`,
      issuerId: 'oidc:github',
      kind: 'oidc',
      subject: 'repo:example/web:ref:refs/heads/main',
      attributes: { repository: 'example/web' },
      ...times,
    });
    expect(map('x'.repeat(512)).principal).toBe(`oidc:github:${'x'.repeat(512)}`);
    expect(map('ünïcode/ßranch@refs/heads/ok').principal).toBe('oidc:github:ünïcode/ßranch@refs/heads/ok');
  });

  // Such values reach store keys (a Redis Cluster hash tag, an index key): refused as bad_subject
  // (→ 400 invalid_request), never a 500 from the store.
  it.each([
    ['an opening brace', `${ref.replace('main', 'feat{x')}`],
    ['a closing brace', `${ref.replace('main', 'feat}x')}`],
    ['a space', `${ref.replace('main', 'my branch')}`],
    ['a tab', 'a\tb'],
    ['a newline', 'a\nb'],
    ['a NUL', 'a\u0000b'],
    ['a DEL', 'a\u007fb'],
    ['a C1 control character', 'a\u0085b'],
    ['a no-break space', 'a\u00a0b'],
    ['a line separator', 'a\u2028b'],
    ['an empty value', ''],
    ['513 characters', 'x'.repeat(513)],
    ['a number', 42],
    ['a list', ['a']],
  ])('refuses %s', (_name, principal) => {
    expect(reasonOf(principal)).toBe('bad_subject');
  });

  it('refuses an absent claim as missing_claim', () => {
    expect(reasonOf(undefined)).toBe('missing_claim');
  });
});
