import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clone, makeClaims } from '../test/fixtures.js';
import { cnfClaimSchema, parseWritClaims, type WritClaims } from './index.js';

function issuesOf(input: unknown): string[] {
  const result = parseWritClaims(input);
  return result.ok ? [] : result.issues;
}

function without(key: keyof WritClaims): Record<string, unknown> {
  const { [key]: _removed, ...rest } = makeClaims();
  return rest;
}

const delegated = makeClaims({
  sub: 'spiffe://example.org/ns/prod/sa/orchestrator',
  client_id: 'spiffe://example.org/ns/prod/sa/worker',
  task: {
    id: 'tsk_child',
    parent: 'tsk_7Hq2xK9pLm3N',
    chain: ['tsk_7Hq2xK9pLm3N'],
    intent: 'Comment on one ticket',
    data_class: 'internal',
    budget: { total: 5, per_tool: { 'jira.comment': 2 } },
  },
  act: {
    sub: 'spiffe://example.org/ns/prod/sa/worker',
    act: { sub: 'spiffe://example.org/ns/prod/sa/orchestrator' },
  },
  cnf: { jkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I' },
});

describe('parseWritClaims', () => {
  it('accepts a root writ and returns its claims', () => {
    expect(parseWritClaims(makeClaims())).toEqual({ ok: true, claims: makeClaims() });
  });

  it('accepts a delegated, sender-constrained writ', () => {
    expect(parseWritClaims(delegated)).toEqual({ ok: true, claims: delegated });
  });

  it.each([
    'iss',
    'sub',
    'client_id',
    'aud',
    'iat',
    'nbf',
    'exp',
    'jti',
    'scope',
    'authorization_details',
    'task',
  ] as const)('rejects a writ without %s', (claim) => {
    expect(issuesOf(without(claim))).toEqual([
      `${claim}: Invalid input: expected ${expectedType(claim)}, received undefined`,
    ]);
  });

  it('rejects an audience array, even with one entry', () => {
    expect(issuesOf({ ...makeClaims(), aud: ['https://jira-tools.example.com'] })).toEqual([
      'aud: Invalid input: expected string, received array',
    ]);
  });

  it('rejects unknown claims at the top level and in every nested object', () => {
    const base = makeClaims();
    expect(issuesOf({ ...base, scp: 'x' })).toEqual(['(root): Unrecognized key: "scp"']);
    expect(issuesOf({ ...base, task: { ...base.task, owner: 'x' } })).toEqual([
      'task: Unrecognized key: "owner"',
    ]);
    expect(issuesOf({ ...base, task: { ...base.task, budget: { total: 1, left: 1 } } })).toEqual([
      'task.budget: Unrecognized key: "left"',
    ]);
    expect(
      issuesOf({ ...base, authorization_details: [{ ...base.authorization_details[0], locations: ['x'] }] }),
    ).toEqual(['authorization_details.0: Unrecognized key: "locations"']);
    expect(issuesOf({ ...base, act: { sub: 'w', act: { sub: 'o', may_act: {} } } })).toEqual([
      'act.act: Unrecognized key: "may_act"',
    ]);
    expect(issuesOf({ ...base, cnf: { jkt: delegated.cnf?.jkt ?? '', x5t: 'x' } })).toEqual([
      'cnf: Unrecognized key: "x5t"',
    ]);
  });

  it('rejects wrong types', () => {
    expect(issuesOf({ ...makeClaims(), exp: '1767226200' })).toEqual([
      'exp: Invalid input: expected number, received string',
    ]);
    expect(issuesOf({ ...makeClaims(), iat: 1.5 })).toEqual([
      'iat: Invalid input: expected int, received number',
    ]);
    expect(issuesOf({ ...makeClaims(), iss: 'not a url' })).toEqual(['iss: Invalid URL']);
    expect(issuesOf({ ...makeClaims(), iss: 'ftp://writ.example.com' })).toEqual(['iss: Invalid URL']);
    expect(issuesOf(null)).toEqual(['(root): Invalid input: expected object, received null']);
    expect(issuesOf([])).toEqual(['(root): Invalid input: expected object, received array']);
  });

  it('rejects a short or non-base64url jti', () => {
    expect(issuesOf({ ...makeClaims(), jti: 'abc' })).toEqual([
      'jti: jti must be 22–128 base64url characters',
    ]);
    expect(issuesOf({ ...makeClaims(), jti: 'q3N2v8Jx0cR7tL1mW5yZ9a+/' })).toEqual([
      'jti: jti must be 22–128 base64url characters',
    ]);
  });

  it('rejects wildcards in tools, resources and scope', () => {
    const base = makeClaims();
    const detail = base.authorization_details[0];
    expect(
      issuesOf({ ...base, scope: 'tool:*', authorization_details: [{ ...detail, tools: ['*'] }] }),
    ).toEqual(['authorization_details.0.tools.0: invalid tool name']);
    expect(
      issuesOf({ ...base, authorization_details: [{ ...detail, resources: ['jira:project/*'] }] }),
    ).toEqual(['authorization_details.0.resources.0: invalid resource id']);
    expect(issuesOf({ ...base, scope: 'tool:jira.* tool:jira.comment' })).toEqual([
      'scope: invalid tool name in scope token "tool:jira.*"',
    ]);
  });

  it('rejects a scope that differs from the details tools', () => {
    const mismatch = 'scope: scope must list exactly the tools of authorization_details[0], in order';
    expect(issuesOf({ ...makeClaims(), scope: 'tool:jira.read' })).toEqual([mismatch]);
    expect(issuesOf({ ...makeClaims(), scope: 'tool:jira.read tool:jira.comment tool:jira.write' })).toEqual([
      mismatch,
    ]);
    expect(issuesOf({ ...makeClaims(), scope: 'tool:jira.comment tool:jira.read' })).toEqual([mismatch]);
    expect(issuesOf({ ...makeClaims(), scope: 'tool:jira.read  tool:jira.comment' })).toEqual([mismatch]);
    expect(issuesOf({ ...makeClaims(), scope: 'openid' })).toEqual([
      'scope: scope token "openid" is not a tool:<name> token',
    ]);
  });

  it('requires exactly one authorization_details entry', () => {
    const detail = makeClaims().authorization_details[0];
    expect(issuesOf({ ...makeClaims(), authorization_details: [] })).toEqual([
      'authorization_details: Too small: expected array to have >=1 items',
    ]);
    expect(issuesOf({ ...makeClaims(), authorization_details: [detail, detail] })).toEqual([
      'authorization_details: Too big: expected array to have <=1 items',
    ]);
    expect(issuesOf({ ...makeClaims(), authorization_details: detail })).toEqual([
      'authorization_details: Invalid input: expected tuple, received object',
    ]);
  });

  it('rejects a chain that does not end in the parent', () => {
    const task = { ...makeClaims().task, parent: 'tsk_a', chain: ['tsk_a', 'tsk_b'] };
    expect(issuesOf({ ...makeClaims(), task })).toEqual([
      'task.parent: parent must be the last entry of chain',
    ]);
  });

  it('rejects nbf or iat after exp', () => {
    const base = makeClaims();
    expect(issuesOf({ ...base, nbf: base.exp + 1 })).toEqual(['nbf: nbf is after exp']);
    expect(issuesOf({ ...base, iat: base.exp + 1, nbf: base.exp })).toEqual(['iat: iat is after exp']);
    expect(parseWritClaims({ ...base, iat: base.exp, nbf: base.exp })).toMatchObject({ ok: true });
  });

  it('rejects a detail data class above task.data_class', () => {
    const base = makeClaims();
    const detail = { ...base.authorization_details[0], data_classes: ['internal', 'confidential'] };
    expect(issuesOf({ ...base, authorization_details: [detail] })).toEqual([
      'authorization_details.0.data_classes.1: data class confidential is above task.data_class internal',
    ]);
  });

  it('rejects a budget for a tool outside the plan', () => {
    const base = makeClaims();
    const task = { ...base.task, budget: { per_tool: { 'jira.write': 1 } } };
    expect(issuesOf({ ...base, task })).toEqual([
      'task.budget.per_tool.jira.write: budget names a tool that is not in authorization_details[0].tools',
    ]);
  });

  it('rejects an unknown key injected into any nested object', () => {
    const paths: string[][] = [
      [],
      ['authorization_details', '0'],
      ['task'],
      ['task', 'budget'],
      ['act'],
      ['act', 'act'],
      ['cnf'],
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...paths),
        fc.stringMatching(/^[a-z_]{1,12}$/),
        fc.jsonValue(),
        (path, key, value) => {
          const claims = clone(delegated) as unknown as Record<string, unknown>;
          let target = claims;
          for (const step of path) target = target[step] as Record<string, unknown>;
          fc.pre(!Object.hasOwn(target, key));
          Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
          expect(parseWritClaims(claims)).toMatchObject({ ok: false });
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe('cnfClaimSchema', () => {
  it('accepts a 43-character base64url thumbprint only', () => {
    expect(cnfClaimSchema.safeParse({ jkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I' }).success).toBe(
      true,
    );
    expect(cnfClaimSchema.safeParse({ jkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4' }).success).toBe(
      false,
    );
    expect(cnfClaimSchema.safeParse({ jkt: '0ZcOCORZNYy+DWpqq30jZyJGHTN0d2HglBV3uiguA4I' }).success).toBe(
      false,
    );
    expect(cnfClaimSchema.safeParse({})).toMatchObject({ success: false });
  });
});

function expectedType(claim: keyof WritClaims): string {
  if (claim === 'iat' || claim === 'nbf' || claim === 'exp') return 'number';
  if (claim === 'authorization_details') return 'tuple';
  if (claim === 'task') return 'object';
  return 'string';
}
