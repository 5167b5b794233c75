import { describe, expect, it } from 'vitest';
import { buildRequest, type RequestOverrides } from '../../test/support/policy-fixtures.js';
import { DEV_POLICIES } from './dev-policies.js';
import { createPolicySet } from './policy-set.js';

const set = createPolicySet([{ file: 'dev.cedar', text: DEV_POLICIES }]);
const prodPrincipal = {
  id: 'spiffe://prod.example.com/agents/a',
  issuer: 'spiffe:prod.example.com',
  trustDomain: 'prod.example.com',
};

describe('DEV_POLICIES', () => {
  it('validates and holds exactly the two dev permits', () => {
    expect(set.policyIds).toEqual(['dev-start-and-call', 'dev-delegate']);
    expect(set.warnings).toEqual([]);
  });

  it.each<[string, RequestOverrides, boolean, string]>([
    ['dev start_task internal', {}, true, 'dev-start-and-call'],
    ['dev start_task public', { context: { dataClass: 'public' } }, true, 'dev-start-and-call'],
    ['dev call_tool any tool', { action: 'call_tool', tool: 'shell.exec' }, true, 'dev-start-and-call'],
    ['dev start_task confidential', { context: { dataClass: 'confidential' } }, false, 'default_deny'],
    [
      'dev call_tool restricted',
      { action: 'call_tool', context: { dataClass: 'restricted' } },
      false,
      'default_deny',
    ],
    ['other trust domain', { principal: prodPrincipal }, false, 'default_deny'],
    [
      'oidc principal claiming dev.local',
      { principal: { kind: 'oidc', issuer: 'oidc:k8s', trustDomain: 'dev.local' } },
      false,
      'default_deny',
    ],
    [
      'delegate to a dev worker',
      { action: 'delegate', context: { actor: 'spiffe://dev.local/workers/w1' } },
      true,
      'dev-delegate',
    ],
    [
      'delegate to a non-dev worker',
      { action: 'delegate', context: { actor: 'spiffe://prod.example.com/workers/w1' } },
      false,
      'default_deny',
    ],
    [
      'delegate to a look-alike trust domain',
      { action: 'delegate', context: { actor: 'spiffe://dev.localhost/w' } },
      false,
      'default_deny',
    ],
    ['delegate without actor', { action: 'delegate' }, false, 'default_deny'],
    [
      'delegate confidential',
      { action: 'delegate', context: { actor: 'spiffe://dev.local/w', dataClass: 'confidential' } },
      false,
      'default_deny',
    ],
    ['quarantine_on_violation', { action: 'quarantine_on_violation' }, false, 'default_deny'],
  ])('%s', (_name, overrides, allowed, reason) => {
    expect(set.evaluate(buildRequest(overrides))).toEqual({ allowed, reasons: [reason], errors: [] });
  });
});
