import { describe, expect, it } from 'vitest';
import { taskClaimSchema } from './index.js';

const root = { id: 'tsk_root', chain: [], intent: 'Triage OPS tickets', data_class: 'internal' };
const child = { ...root, id: 'tsk_child', parent: 'tsk_mid', chain: ['tsk_root', 'tsk_mid'] };

function messages(input: unknown): string[] {
  const result = taskClaimSchema.safeParse(input);
  return result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('taskClaimSchema', () => {
  it('accepts a root task and a delegated task', () => {
    expect(taskClaimSchema.parse(root)).toEqual(root);
    expect(taskClaimSchema.parse(child)).toEqual(child);
    expect(taskClaimSchema.parse({ ...root, budget: { total: 3 } }).budget).toEqual({ total: 3 });
  });

  it('rejects a parent on a root task', () => {
    expect(messages({ ...root, parent: 'tsk_x' })).toEqual([
      'parent: a root task (empty chain) has no parent',
    ]);
  });

  it('rejects a chain without a parent', () => {
    expect(messages({ ...root, chain: ['tsk_x'] })).toEqual([
      'parent: parent must be the last entry of chain',
    ]);
  });

  it('rejects a parent that is not the last chain entry (chain is root first)', () => {
    expect(messages({ ...child, parent: 'tsk_root' })).toEqual([
      'parent: parent must be the last entry of chain',
    ]);
  });

  it('rejects cycles and repeats in the chain', () => {
    expect(messages({ ...child, id: 'tsk_root' })).toEqual([
      'chain: chain must not repeat a task id or contain id',
    ]);
    expect(messages({ ...child, chain: ['tsk_mid', 'tsk_mid'] })).toEqual([
      'chain: chain must not repeat a task id or contain id',
    ]);
  });

  it('caps the chain at 16 ancestors', () => {
    const chain = Array.from({ length: 16 }, (_, i) => `t${i}`);
    expect(taskClaimSchema.safeParse({ ...root, id: 'leaf', chain, parent: 't15' })).toMatchObject({
      success: true,
    });
    const longer = [...chain, 't16'];
    expect(taskClaimSchema.safeParse({ ...root, id: 'leaf', chain: longer, parent: 't16' }).success).toBe(
      false,
    );
  });

  it.each([
    ['unknown key', { ...root, owner: 'x' }],
    ['unknown key in budget', { ...root, budget: { total: 1, spent: 0 } }],
    ['missing chain', { id: 'tsk', intent: 'x', data_class: 'public' }],
    ['missing intent', { id: 'tsk', chain: [], data_class: 'public' }],
    ['bad id', { ...root, id: 'tsk root' }],
    ['long id', { ...root, id: 'a'.repeat(65) }],
    ['bad chain entry', { ...child, chain: ['tsk_root', 'mid*'], parent: 'mid*' }],
    ['unknown data class', { ...root, data_class: 'top-secret' }],
    ['chain as string', { ...root, chain: 'tsk_root' }],
  ])('rejects %s', (_name, input) => {
    expect(taskClaimSchema.safeParse(input)).toMatchObject({ success: false });
  });
});
