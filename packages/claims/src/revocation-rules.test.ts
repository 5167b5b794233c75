import { describe, expect, it } from 'vitest';
import { makeClaims, NOW } from '../test/fixtures.js';
import { decideLiveness, decideLivenessFromList, type RevocationList } from './revocation-rules.js';

const empty = (): RevocationList => ({
  tasks: new Map(),
  writs: new Set(),
  allBelow: null,
  principals: new Map(),
  issuers: new Map(),
});

const child = makeClaims({
  task: {
    id: 'tsk_child0000001',
    parent: 'tsk_root00000001',
    chain: ['tsk_root00000001'],
    intent: 'triage',
    data_class: 'internal',
  },
  gen: 3,
  act: { sub: 'spiffe://example.org/ns/prod/sa/worker' },
});

describe('decideLiveness', () => {
  const live = { status: 'live', expires_at: NOW + 60 };
  it('checks the writ, then its task, then ancestors, then generations, in that order', () => {
    const base = {
      now: NOW,
      writKnown: true,
      writRevoked: false,
      task: live,
      ancestors: [live],
      gen: 2,
      belowGens: [null],
    };
    expect(decideLiveness(base)).toEqual({ live: true });
    expect(decideLiveness({ ...base, writKnown: false, writRevoked: true })).toEqual({
      live: false,
      reason: 'writ_unknown',
    });
    expect(decideLiveness({ ...base, writRevoked: true, gen: 1, belowGens: [2] })).toEqual({
      live: false,
      reason: 'writ_revoked',
    });
    expect(decideLiveness({ ...base, task: { status: 'live', expires_at: NOW } })).toEqual({
      live: false,
      reason: 'task_not_live',
    });
    expect(decideLiveness({ ...base, ancestors: [{ status: null, expires_at: null }] })).toEqual({
      live: false,
      reason: 'ancestor_not_live',
    });
    expect(decideLiveness({ ...base, belowGens: [null, 3] })).toEqual({
      live: false,
      reason: 'revoked_by_generation',
    });
    expect(decideLiveness({ ...base, belowGens: [2, 2] })).toEqual({ live: true });
  });
});

describe('decideLivenessFromList', () => {
  it('is live when nothing covers the writ', () => {
    expect(decideLivenessFromList(empty(), child, NOW)).toEqual({ live: true });
  });

  it('refuses a revoked jti, an ended task or ancestor, and every generation mark that covers it', () => {
    const cases: Array<[Partial<RevocationList>, string]> = [
      [{ writs: new Set([child.jti]) }, 'writ_revoked'],
      [{ tasks: new Map([['tsk_child0000001', 'completed']]) }, 'task_not_live'],
      [{ tasks: new Map([['tsk_root00000001', 'revoked']]) }, 'ancestor_not_live'],
      [{ allBelow: 4 }, 'revoked_by_generation'],
      [{ principals: new Map([['spiffe://example.org/ns/prod/sa/worker', 4]]) }, 'revoked_by_generation'],
      [{ issuers: new Map([['spiffe:example.org', 4]]) }, 'revoked_by_generation'],
    ];
    for (const [list, reason] of cases) {
      expect(decideLivenessFromList({ ...empty(), ...list }, child, NOW)).toEqual({ live: false, reason });
    }
  });

  it('leaves a writ issued at or after a generation mark live', () => {
    const list = {
      ...empty(),
      allBelow: 3,
      principals: new Map([[child.sub, 3]]),
      issuers: new Map([['spiffe:example.org', 2]]),
    };
    expect(decideLivenessFromList(list, child, NOW)).toEqual({ live: true });
  });

  it('ignores other tasks and jtis, and leaves expiry to the caller', () => {
    const list = {
      ...empty(),
      tasks: new Map([['tsk_other0000001', 'revoked']]),
      writs: new Set(['x'.repeat(22)]),
    };
    expect(decideLivenessFromList(list, child, child.exp + 10)).toEqual({ live: true });
  });
});
