import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toolNameArb } from '../test/fixtures.js';
import {
  dataClassSchema,
  formatScope,
  parseScope,
  resourceIdSchema,
  taskIdSchema,
  toolNameSchema,
} from './index.js';

describe('toolNameSchema', () => {
  it.each(['jira.read', 'a', 'Gh_pr-list.v2', `a${'b'.repeat(127)}`])('accepts %s', (name) => {
    expect(toolNameSchema.safeParse(name)).toMatchObject({ success: true });
  });

  it.each([
    '',
    '*',
    'jira.*',
    'jira?',
    'jira read',
    '.hidden',
    '-x',
    'tool:jira',
    'jira/read',
    `a${'b'.repeat(128)}`,
  ])('rejects %j', (name) => {
    expect(toolNameSchema.safeParse(name)).toMatchObject({ success: false });
  });

  it('rejects non-strings', () => {
    expect(toolNameSchema.safeParse(1)).toMatchObject({ success: false });
  });
});

describe('resourceIdSchema', () => {
  it.each(['jira:project/OPS', 'https://api.example.com/v1/items/42', 'x', 'a'.repeat(512)])(
    'accepts %s',
    (id) => {
      expect(resourceIdSchema.safeParse(id)).toMatchObject({ success: true });
    },
  );

  it.each(['', '*', 'jira:project/*', 'repo?', 'a b', 'a\tb', 'a\nb', 'a\u0000b', 'a'.repeat(513)])(
    'rejects %j',
    (id) => {
      expect(resourceIdSchema.safeParse(id)).toMatchObject({ success: false });
    },
  );
});

describe('taskIdSchema and dataClassSchema', () => {
  it('accept valid values', () => {
    expect(taskIdSchema.safeParse('tsk_7Hq2-xK')).toMatchObject({ success: true });
    expect(taskIdSchema.safeParse('a'.repeat(64))).toMatchObject({ success: true });
    expect(dataClassSchema.parse('confidential')).toBe('confidential');
  });

  it('reject invalid values', () => {
    expect(taskIdSchema.safeParse('')).toMatchObject({ success: false });
    expect(taskIdSchema.safeParse('a'.repeat(65))).toMatchObject({ success: false });
    expect(taskIdSchema.safeParse('t.1')).toMatchObject({ success: false });
    expect(dataClassSchema.safeParse('secret')).toMatchObject({ success: false });
    expect(dataClassSchema.safeParse('Public')).toMatchObject({ success: false });
  });
});

describe('parseScope', () => {
  it('parses tool tokens, dropping duplicates and extra spaces, keeping order', () => {
    expect(parseScope('tool:jira.read  tool:slack.post tool:jira.read ')).toEqual({
      ok: true,
      tools: ['jira.read', 'slack.post'],
    });
  });

  it('rejects a token without the tool: prefix', () => {
    expect(parseScope('tool:jira.read openid')).toEqual({
      ok: false,
      error: 'scope token "openid" is not a tool:<name> token',
    });
  });

  it.each(['tool:*', 'tool:jira.*', 'tool:', 'tool:a?b', 'tool:jira.read\ttool:x'])('rejects %j', (scope) => {
    const result = parseScope(scope);
    expect(result).toMatchObject({ ok: false });
  });

  it('rejects a scope that names no tool', () => {
    expect(parseScope('')).toEqual({ ok: false, error: 'scope names no tool' });
    expect(parseScope('   ')).toEqual({ ok: false, error: 'scope names no tool' });
  });

  it('keeps a hostile token short in the error text', () => {
    const result = parseScope(`x${'y'.repeat(10_000)}`);
    expect(result).toMatchObject({ ok: false });
    if (!result.ok) expect(result.error.length).toBeLessThan(120);
  });

  it('round-trips formatScope for any list of tool names', () => {
    fc.assert(
      fc.property(fc.array(toolNameArb, { minLength: 1, maxLength: 10 }), (tools) => {
        expect(parseScope(formatScope(tools))).toEqual({ ok: true, tools: [...new Set(tools)] });
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws and only returns valid tool names', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (scope) => {
        const result = parseScope(scope);
        if (result.ok)
          for (const tool of result.tools)
            expect(toolNameSchema.safeParse(tool)).toMatchObject({ success: true });
      }),
      { numRuns: 1000 },
    );
  });
});

describe('formatScope', () => {
  it('joins tool tokens with single spaces', () => {
    expect(formatScope(['jira.read', 'slack.post'])).toBe('tool:jira.read tool:slack.post');
    expect(formatScope(['a', 'b', 'a'])).toBe('tool:a tool:b');
    expect(formatScope([])).toBe('');
  });
});
