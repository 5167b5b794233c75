import { describe, expect, it } from 'vitest';
import { makeClaims } from '../test/fixtures.js';
import { actClaimSchema, actorChain, currentActor, delegationDepth, nestAct } from './index.js';

function nest(depth: number): unknown {
  let act: Record<string, unknown> = { sub: 'a0' };
  for (let i = 1; i < depth; i += 1) act = { sub: `a${i}`, act };
  return act;
}

describe('actClaimSchema', () => {
  it('accepts nested actors', () => {
    const act = { sub: 'worker', client_id: 'w', act: { sub: 'orchestrator', act: { sub: 'human' } } };
    expect(actClaimSchema.parse(act)).toEqual(act);
  });

  it('rejects unknown keys at any depth', () => {
    expect(actClaimSchema.safeParse({ sub: 'w', iss: 'x' })).toMatchObject({ success: false });
    expect(
      actClaimSchema.safeParse({ sub: 'w', act: { sub: 'o', act: { sub: 'h', role: 'admin' } } }),
    ).toMatchObject({ success: false });
  });

  it('rejects missing or empty sub and wrong types', () => {
    expect(actClaimSchema.safeParse({ client_id: 'w' })).toMatchObject({ success: false });
    expect(actClaimSchema.safeParse({ sub: '' })).toMatchObject({ success: false });
    expect(actClaimSchema.safeParse({ sub: 'w', act: 'o' })).toMatchObject({ success: false });
    expect(actClaimSchema.safeParse([{ sub: 'w' }])).toMatchObject({ success: false });
    expect(actClaimSchema.safeParse('w')).toMatchObject({ success: false });
  });

  it('allows 17 levels and refuses 18', () => {
    expect(actClaimSchema.safeParse(nest(17))).toMatchObject({ success: true });
    expect(actClaimSchema.safeParse(nest(18)).error?.issues.map((issue) => issue.message)).toEqual([
      'act must not nest deeper than 17',
    ]);
  });

  it('refuses a hostile depth without exhausting the stack', () => {
    expect(actClaimSchema.safeParse(nest(200_000))).toMatchObject({ success: false });
  });
});

describe('act helpers', () => {
  const act = { sub: 'worker', act: { sub: 'orchestrator', client_id: 'o', act: { sub: 'human' } } };

  it('currentActor returns the outermost act', () => {
    expect(currentActor(makeClaims({ act }))).toBe(act);
    expect(currentActor(makeClaims())).toBeUndefined();
  });

  it('delegationDepth counts ancestor tasks', () => {
    expect(delegationDepth(makeClaims())).toBe(0);
    const task = { ...makeClaims().task, parent: 'b', chain: ['a', 'b'] };
    expect(delegationDepth(makeClaims({ task }))).toBe(2);
  });

  it('actorChain lists subs current first', () => {
    expect(actorChain(act)).toEqual(['worker', 'orchestrator', 'human']);
    expect(actorChain()).toEqual([]);
  });

  it('nestAct prepends the new current actor', () => {
    expect(nestAct({ sub: 'worker', client_id: 'w' }, act.act)).toEqual({
      sub: 'worker',
      client_id: 'w',
      act: { sub: 'orchestrator', client_id: 'o', act: { sub: 'human' } },
    });
    expect(nestAct({ sub: 'first' })).toEqual({ sub: 'first' });
    expect(Object.keys(nestAct({ sub: 'first' }))).toEqual(['sub']);
    expect(actorChain(nestAct({ sub: 'next' }, act))).toEqual(['next', 'worker', 'orchestrator', 'human']);
  });
});
