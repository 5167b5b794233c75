import { describe, expect, it } from 'vitest';
import { catchLoadError } from '../../test/support/policy-fixtures.js';
import { formatPolicyProblem } from './policy-load-error.js';
import { createPolicySet } from './policy-set.js';

const valid = { file: 'a.cedar', text: '@id("ok")\npermit (principal, action, resource);\n' };

describe('createPolicySet problems', () => {
  it('names file and line of a syntax error', () => {
    const b = '// second file\n\npermit (principal action, resource);\n';
    const error = catchLoadError(() => createPolicySet([valid, { file: 'b.cedar', text: b }]));
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatchObject({ file: 'b.cedar', line: 3, column: 19 });
    expect(error.problems[0]?.message).toContain('unexpected token `action`');
    expect(error.message).toContain('b.cedar:3:19: ');
  });

  it('names file and line of a schema violation (unknown attribute)', () => {
    const b = [
      '@id("uses-unknown")',
      'permit (principal, action, resource)',
      'when { principal.namespace == "agents" };',
      '',
    ].join('\n');
    const error = catchLoadError(() => createPolicySet([valid, { file: 'b.cedar', text: b }]));
    expect(error.problems.length).toBeGreaterThan(0);
    for (const problem of error.problems) {
      expect(problem).toMatchObject({ file: 'b.cedar', line: 3, column: 8 });
      expect(problem.message).toContain('`uses-unknown`');
      expect(problem.message).toContain('namespace');
    }
  });

  it('reports an unknown context field, an unknown action and a non-boolean condition', () => {
    const b = [
      'permit (principal, action, resource)',
      'when { context.nope == 1 };',
      'permit (principal, action == Writ::Action::"fly", resource);',
      'forbid (principal, action, resource) when { 1 };',
    ].join('\n');
    const error = catchLoadError(() => createPolicySet([{ file: 'b.cedar', text: b }]));
    expect([...new Set(error.problems.map((p) => `${p.file}:${p.line}`))]).toEqual([
      'b.cedar:2',
      'b.cedar:3',
      'b.cedar:4',
    ]);
  });

  it('requires hasTag before getTag (strict validation)', () => {
    const b = 'permit (principal, action, resource)\nwhen { principal.getTag("ns") == "a" };';
    const error = catchLoadError(() => createPolicySet([{ file: 'b.cedar', text: b }]));
    expect(error.problems.map((p) => [p.line, p.column])).toEqual([[2, 8]]);
    expect(error.problems[0]?.message).toContain('hasTag');
  });

  it('counts lines and columns in characters after non-ASCII text', () => {
    const b = '// Überprüfung ✓ — 検証\npermit (principal, action, resource) when { context.nope };';
    const error = catchLoadError(() => createPolicySet([{ file: 'b.cedar', text: b }]));
    expect(error.problems[0]).toMatchObject({ file: 'b.cedar', line: 2, column: 45 });
  });

  it('lists problems of every file', () => {
    const error = catchLoadError(() =>
      createPolicySet([
        { file: 'a.cedar', text: 'permit (principal, action, resource) when { context.x };' },
        { file: 'b.cedar', text: '\nforbid (principal, action, resource' },
      ]),
    );
    expect([...new Set(error.problems.map((p) => `${p.file}:${p.line}`))]).toEqual([
      'a.cedar:1',
      'b.cedar:2',
    ]);
  });

  it('refuses templates', () => {
    const b = '\n\npermit (principal == ?principal, action, resource);';
    const error = catchLoadError(() => createPolicySet([{ file: 'b.cedar', text: b }]));
    expect(error.problems).toEqual([
      {
        file: 'b.cedar',
        line: 3,
        column: 1,
        message: 'policy templates (slots like ?principal) are not supported',
      },
    ]);
  });

  it('formats a problem without a line as the bare file', () => {
    expect(formatPolicyProblem({ file: '/etc/writ/policies', line: 0, message: 'empty' })).toBe(
      '/etc/writ/policies: empty',
    );
  });
});
