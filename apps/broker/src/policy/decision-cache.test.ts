import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contextFieldsReadBy } from './context-usage.js';
import { createPolicySet } from './policy-set.js';
import { DATA_CLASS_LEVELS, type DataClass, POLICY_ACTIONS, type PolicyRequest } from './types.js';

const DATA_CLASSES = Object.keys(DATA_CLASS_LEVELS) as DataClass[];

describe('contextFieldsReadBy', () => {
  it('lists the fields read by name or tested with has', () => {
    const usage = contextFieldsReadBy([
      'permit (principal, action, resource) when { context.audience == "a" && context has actor };',
      'forbid (principal, action, resource) when { [1, 2].contains(context.ttl_seconds) };',
    ]);
    expect(usage).toEqual(new Set(['audience', 'actor', 'ttl_seconds']));
  });

  it('counts a use of the whole record as reading every field', () => {
    expect(
      contextFieldsReadBy([
        'permit (principal, action, resource) when { context.audience == "a" };',
        'forbid (principal, action, resource) unless { context == {} };',
      ]),
    ).toBe('all');
  });
});

// Policies that read the context in several ways, including fields that vary per request.
const POLICIES = `
@id("start")
permit (principal is Writ::Workload, action == Writ::Action::"start_task", resource is Writ::Tool)
when {
  principal.kind == "spiffe" &&
  ["a", "b", "c"].contains(resource.name) &&
  context.audience like "https://*" &&
  context.data_class_level <= 1
};
@id("call-by-tag")
permit (principal, action == Writ::Action::"call_tool", resource)
when { principal.hasTag("team") && principal.getTag("team") == "x" && context.intent != "" };
@id("delegate")
permit (principal, action == Writ::Action::"delegate", resource)
when { context.actor like "spiffe://*" && context.delegation_depth < 3 };
@id("short")
forbid (principal, action, resource) when { context.ttl_seconds > 900 };
@id("budget")
forbid (principal, action, resource) when { context.budget_total == 0 };
`;

const small = (values: string[]) => fc.constantFrom(...values);
const request: fc.Arbitrary<PolicyRequest> = fc.record({
  action: fc.constantFrom(...POLICY_ACTIONS),
  principal: fc.record({
    id: small(['spiffe://t/a', 'spiffe://t/b', 'oidc:k8s:x']),
    kind: fc.constantFrom('spiffe' as const, 'oidc' as const),
    issuer: small(['spiffe:t', 'oidc:k8s']),
    trustDomain: small(['t', '']),
    attributes: fc.dictionary(small(['team', 'ns']), small(['x', 'y']), { maxKeys: 2 }),
  }),
  resource: fc.record({ tool: small(['a', 'b', 'd']) }),
  context: fc.record({
    audience: small(['https://api', 'http://api', '']),
    intent: small(['', 'triage']),
    dataClass: fc.constantFrom(...DATA_CLASSES),
    ttlSeconds: fc.constantFrom(60, 900, 901),
    budgetTotal: fc.constantFrom(-1, 0, 5),
    delegationDepth: fc.constantFrom(0, 2, 3),
    actor: small(['', 'spiffe://t/w', 'oidc:x']),
    taskId: fc.string({ minLength: 1, maxLength: 8 }),
    parentPrincipal: small(['', 'spiffe://t/a']),
    time: fc.integer({ min: 0, max: 2_000_000_000 }),
  }),
});

describe('decision reuse', () => {
  it('a reused decision always equals a fresh evaluation (property)', () => {
    const reusing = createPolicySet([{ file: 'p.cedar', text: POLICIES }]);
    const fresh = createPolicySet([{ file: 'p.cedar', text: POLICIES }], { decisionCacheSize: 0 });
    fc.assert(
      fc.property(fc.array(request, { minLength: 1, maxLength: 20 }), (requests) => {
        // Every request twice, so the second asks the cache whatever the first stored.
        for (const req of [...requests, ...requests]) {
          expect(reusing.evaluate(req)).toEqual(fresh.evaluate(req));
        }
      }),
      { numRuns: 300 },
    );
    // Up to 12,000 fresh wasm evaluations: seconds on a quiet machine, more on a loaded one.
  }, 60_000);

  it('does not reuse across a field some policy reads', () => {
    const set = createPolicySet([{ file: 'p.cedar', text: POLICIES }]);
    const base: PolicyRequest = {
      action: 'start_task',
      principal: { id: 'spiffe://t/a', kind: 'spiffe', issuer: 'spiffe:t', trustDomain: 't', attributes: {} },
      resource: { tool: 'a' },
      context: {
        audience: 'https://api',
        intent: 'x',
        dataClass: 'public',
        ttlSeconds: 60,
        delegationDepth: 0,
        taskId: 't1',
        time: 1,
      },
    };
    expect(set.evaluate(base)).toEqual({ allowed: true, reasons: ['start'], errors: [] });
    expect(set.evaluate({ ...base, context: { ...base.context, taskId: 't2', time: 2 } })).toMatchObject({
      allowed: true,
    });
    expect(set.evaluate({ ...base, context: { ...base.context, ttlSeconds: 901 } })).toEqual({
      allowed: false,
      reasons: ['short'],
      errors: [],
    });
    expect(set.evaluate({ ...base, principal: { ...base.principal, kind: 'oidc' } })).toEqual({
      allowed: false,
      reasons: ['default_deny'],
      errors: [],
    });
  });
});
