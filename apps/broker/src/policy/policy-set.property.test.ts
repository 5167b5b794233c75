import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEV_POLICIES } from './dev-policies.js';
import { createPolicySet } from './policy-set.js';
import { DATA_CLASS_LEVELS, type DataClass, POLICY_ACTIONS, type PolicyRequest } from './types.js';

const DATA_CLASSES = Object.keys(DATA_CLASS_LEVELS) as DataClass[];

// Whole numbers mostly, plus the odd fraction / unsafe value a buggy caller could pass.
const long = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: -1_000, max: 10_000_000_000 }) },
  { weight: 1, arbitrary: fc.maxSafeInteger() },
  { weight: 1, arbitrary: fc.double() },
);
const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom('', 'spiffe://dev.local/x'),
);

const request: fc.Arbitrary<PolicyRequest> = fc.record({
  action: fc.constantFrom(...POLICY_ACTIONS),
  principal: fc.record(
    {
      id: text,
      kind: fc.constantFrom('spiffe' as const, 'oidc' as const),
      issuer: text,
      trustDomain: fc.constantFrom('dev.local', 'prod.example.com', ''),
      attributes: fc.dictionary(
        text,
        fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.array(text, { maxLength: 4 })),
        { maxKeys: 5 },
      ),
    },
    { requiredKeys: ['id', 'kind', 'issuer', 'attributes'] },
  ),
  resource: fc.record({ tool: text }),
  context: fc.record(
    {
      audience: text,
      intent: text,
      dataClass: fc.constantFrom(...DATA_CLASSES),
      ttlSeconds: long,
      budgetTotal: long,
      delegationDepth: long,
      actor: text,
      taskId: text,
      parentPrincipal: text,
      time: long,
    },
    { requiredKeys: ['audience', 'intent', 'dataClass', 'ttlSeconds', 'delegationDepth', 'taskId', 'time'] },
  ),
});

const forbidsOnly = createPolicySet([
  {
    file: 'forbids.cedar',
    text: `
forbid (principal, action, resource) when { context.ttl_seconds > 900 };
forbid (principal, action == Writ::Action::"delegate", resource) when { context.delegation_depth > 3 };
forbid (principal, action, resource)
when { principal.hasTag("namespace") && principal.getTag("namespace") like "*kube*" };
forbid (principal, action, resource) when { context.time + 9223372036854775000 < 0 };
forbid (principal, action, resource) unless { principal.trust_domain == "dev.local" };
`,
  },
]);
const dev = createPolicySet([{ file: 'dev.cedar', text: DEV_POLICIES }]);

describe('policy evaluation properties', () => {
  it('never throws and never allows when no permit exists', () => {
    fc.assert(
      fc.property(request, (req) => {
        const decision = forbidsOnly.evaluate(req);
        expect(decision).toMatchObject({ allowed: false });
        expect(decision.reasons.length).toBeGreaterThan(0);
        expect(forbidsOnly.evaluateAll([req, req])).toMatchObject({ allowed: false });
      }),
      { numRuns: 1000 },
    );
  });

  it('dev policy allows only dev.local SPIFFE workloads on internal data or below', () => {
    let allowedCount = 0;
    fc.assert(
      fc.property(request, (req) => {
        const decision = dev.evaluate(req);
        if (!decision.allowed) return;
        allowedCount += 1;
        expect(req.principal.kind).toBe('spiffe');
        expect(req.principal.trustDomain).toBe('dev.local');
        expect(DATA_CLASS_LEVELS[req.context.dataClass]).toBeLessThanOrEqual(1);
        expect(req.action).not.toBe('quarantine_on_violation');
        if (req.action === 'delegate') expect(req.context.actor).toMatch(/^spiffe:\/\/dev\.local\//);
      }),
      { numRuns: 1000 },
    );
    // The generator must reach the permits, or the property above proves nothing.
    expect(allowedCount).toBeGreaterThan(10);
  });
});
