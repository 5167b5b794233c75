import { describe, expect, it } from 'vitest';
import { buildRequest, catchLoadError } from '../../test/support/policy-fixtures.js';
import { createPolicySet } from './policy-set.js';

const permitAll = '@id("permit-all")\npermit (principal, action, resource);\n';
// Overflows (an evaluation error) once context.time > 807: valid under strict validation.
const OVERFLOW = 'context.time + 9223372036854775000 < 0';

describe('PolicySet.evaluate', () => {
  it('lets a matching forbid win over a permit', () => {
    const set = createPolicySet([
      { file: 'a.cedar', text: permitAll },
      {
        file: 'b.cedar',
        text: '@id("no-shell")\nforbid (principal, action, resource) when { resource.name == "shell" };',
      },
    ]);
    expect(set.evaluate(buildRequest({ tool: 'shell' }))).toEqual({
      allowed: false,
      reasons: ['no-shell'],
      errors: [],
    });
    expect(set.evaluate(buildRequest({ tool: 'search' }))).toEqual({
      allowed: true,
      reasons: ['permit-all'],
      errors: [],
    });
  });

  it('denies by default with reason default_deny', () => {
    const set = createPolicySet([
      { file: 'a.cedar', text: 'permit (principal, action, resource) when { resource.name == "search" };' },
    ]);
    expect(set.evaluate(buildRequest({ tool: 'fetch' }))).toEqual({
      allowed: false,
      reasons: ['default_deny'],
      errors: [],
    });
  });

  it('sees the context record and identity attributes as string tags', () => {
    const text = `@id("ns-triage")
permit (principal, action == Writ::Action::"delegate", resource)
when {
  principal.hasTag("namespace") && principal.getTag("namespace") == "agents" &&
  principal.hasTag("groups") && principal.getTag("groups") == "ops,sre" &&
  principal.hasTag("replicas") && principal.getTag("replicas") == "3" &&
  principal.hasTag("prod") && principal.getTag("prod") == "true" &&
  principal.issuer == "oidc:k8s" && principal.trust_domain == "" &&
  context.intent == "triage" && context.audience == "https://tickets.example.com" &&
  context.data_class == "confidential" && context.data_class_level == 2 &&
  context.ttl_seconds == 600 && context.budget_total == -1 && context.delegation_depth == 1 &&
  context.actor == "system:serviceaccount:agents:worker" && context.task_id == "t-9" &&
  context.parent_principal == "" && context.time == 1767225600
};`;
    const set = createPolicySet([{ file: 'a.cedar', text }]);
    const request = buildRequest({
      action: 'delegate',
      principal: {
        id: 'system:serviceaccount:agents:orchestrator',
        kind: 'oidc',
        issuer: 'oidc:k8s',
        trustDomain: undefined,
        attributes: { namespace: 'agents', groups: ['ops', 'sre'], replicas: 3, prod: true },
      },
      context: {
        intent: 'triage',
        audience: 'https://tickets.example.com',
        dataClass: 'confidential',
        ttlSeconds: 600,
        delegationDepth: 1,
        actor: 'system:serviceaccount:agents:worker',
        taskId: 't-9',
      },
    });
    expect(set.evaluate(request)).toEqual({ allowed: true, reasons: ['ns-triage'], errors: [] });
    const otherNamespace = {
      ...request.principal,
      attributes: { ...request.principal.attributes, namespace: 'x' },
    };
    expect(set.evaluate({ ...request, principal: otherNamespace }).reasons).toEqual(['default_deny']);
    expect(set.evaluate({ ...request, context: { ...request.context, budgetTotal: 10 } }).allowed).toBe(
      false,
    );
  });

  it('denies when a forbid fails to evaluate, even though Cedar would skip it', () => {
    const set = createPolicySet([
      { file: 'a.cedar', text: permitAll },
      {
        file: 'b.cedar',
        text: `@id("overflowing-forbid")\nforbid (principal, action, resource) when { ${OVERFLOW} };`,
      },
    ]);
    expect(set.evaluate(buildRequest({ context: { time: 0 } }))).toEqual({
      allowed: true,
      reasons: ['permit-all'],
      errors: [],
    });
    const decision = set.evaluate(buildRequest({ context: { time: 1_000_000 } }));
    expect(decision).toMatchObject({ allowed: false });
    expect(decision.reasons).toEqual(['overflowing-forbid']);
    expect(decision.errors).toHaveLength(1);
    expect(decision.errors[0]).toMatch(/^overflowing-forbid: .*overflow/);
  });

  it('treats a failing permit as not matching and reports the error', () => {
    const set = createPolicySet([
      {
        file: 'a.cedar',
        text: `@id("overflowing-permit")\npermit (principal, action, resource) when { ${OVERFLOW} };`,
      },
    ]);
    const decision = set.evaluate(buildRequest({ context: { time: 1_000_000 } }));
    expect(decision).toMatchObject({ allowed: false });
    expect(decision.reasons).toEqual(['default_deny']);
    expect(decision.errors[0]).toMatch(/^overflowing-permit: /);
  });

  it('denies a request that cannot be evaluated instead of throwing', () => {
    const set = createPolicySet([{ file: 'a.cedar', text: permitAll }]);
    expect(set.evaluate(buildRequest({ context: { ttlSeconds: 1.5 } }))).toEqual({
      allowed: false,
      reasons: ['evaluation_error'],
      errors: ['context.ttlSeconds must be an integer'],
    });
    const bogus = buildRequest({ context: { dataClass: 'secret' as never } });
    expect(set.evaluate(bogus)).toEqual({
      allowed: false,
      reasons: ['evaluation_error'],
      errors: ['unknown data class "secret"'],
    });
  });
});

describe('PolicySet.evaluateAll', () => {
  const set = createPolicySet([
    {
      file: 'a.cedar',
      text: [
        '@id("search")\npermit (principal, action, resource) when { resource.name == "search" };',
        '@id("fetch")\npermit (principal, action, resource) when { resource.name == "fetch" };',
        '@id("no-shell")\nforbid (principal, action, resource) when { resource.name == "shell" };',
      ].join('\n'),
    },
  ]);

  it('allows when every request is allowed, merging reasons', () => {
    const reqs = ['search', 'fetch', 'search'].map((tool) => buildRequest({ tool }));
    expect(set.evaluateAll(reqs)).toEqual({ allowed: true, reasons: ['search', 'fetch'], errors: [] });
  });

  it('denies when one request is denied, with the denying reasons', () => {
    const reqs = ['search', 'shell', 'mail'].map((tool) => buildRequest({ tool }));
    expect(set.evaluateAll(reqs)).toEqual({
      allowed: false,
      reasons: ['no-shell', 'default_deny'],
      errors: [],
    });
  });

  it('denies an empty list', () => {
    expect(set.evaluateAll([])).toEqual({
      allowed: false,
      reasons: ['default_deny'],
      errors: ['no requests to evaluate'],
    });
  });
});

describe('policy ids and version', () => {
  it('names unannotated policies <file>:<line>, in source order past ten policies', () => {
    const lines = Array.from(
      { length: 12 },
      (_, i) => `permit (principal, action, resource) when { context.ttl_seconds == ${i} };`,
    );
    const text = `// header\n${lines.join('\n')}\n@id("last")\nforbid (principal, action, resource) when { false };`;
    const set = createPolicySet([{ file: 'many.cedar', text }]);
    expect(set.policyIds).toEqual([...lines.map((_, i) => `many.cedar:${i + 2}`), 'last']);
    const decision = set.evaluate(buildRequest({ context: { ttlSeconds: 10 } }));
    expect(decision).toEqual({ allowed: true, reasons: ['many.cedar:12'], errors: [] });
  });

  it('adds the column when two policies start on one line', () => {
    const text = 'permit (principal, action, resource); forbid (principal, action, resource) when { false };';
    expect(createPolicySet([{ file: 'a.cedar', text }]).policyIds).toEqual(['a.cedar:1', 'a.cedar:1:39']);
  });

  it('rejects a duplicate @id across files', () => {
    const text = '@id("same")\npermit (principal, action, resource);';
    const error = catchLoadError(() =>
      createPolicySet([
        { file: 'a.cedar', text },
        { file: 'b.cedar', text: `\n${text}` },
      ]),
    );
    expect(error.problems).toEqual([{ file: 'b.cedar', line: 2, message: 'duplicate policy id "same"' }]);
  });

  it('hashes the sources into the version', () => {
    const a = createPolicySet([{ file: 'a.cedar', text: permitAll }]);
    const same = createPolicySet([{ file: 'a.cedar', text: permitAll }]);
    const renamed = createPolicySet([{ file: 'b.cedar', text: permitAll }]);
    expect(a.version).toMatch(/^[0-9a-f]{64}$/);
    expect(same.version).toBe(a.version);
    expect(renamed.version).not.toBe(a.version);
  });

  it('accepts an empty set, which denies everything', () => {
    const set = createPolicySet([]);
    expect(set.policyIds).toEqual([]);
    expect(set.evaluate(buildRequest())).toEqual({ allowed: false, reasons: ['default_deny'], errors: [] });
  });
});
