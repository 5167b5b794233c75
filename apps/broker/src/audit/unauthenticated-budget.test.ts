import { describe, expect, it } from 'vitest';
import { addressBucket as sourceKey } from '../shared/address-bucket.js';
import { createFixedClock } from '../shared/clock.js';
import { createUnauthenticatedBudget } from './unauthenticated-budget.js';

const START = 1_800_000_000_000;

function takeTimes(take: () => boolean, n: number): boolean[] {
  return Array.from({ length: n }, take);
}

describe('createUnauthenticatedBudget', () => {
  it('lets 60 events a minute through per source, suppresses the 61st, and reports it once the window ends', () => {
    const clock = createFixedClock(START);
    const budget = createUnauthenticatedBudget({ clock });
    const taken = takeTimes(() => budget.take('203.0.113.7'), 61);
    expect(taken.filter(Boolean)).toHaveLength(60);
    expect(taken[59]).toBe(true);
    expect(taken[60]).toBe(false);

    clock.advance(59_999);
    expect(budget.drainSuppressed()).toEqual([]);
    clock.advance(1);
    expect(budget.drainSuppressed()).toEqual([{ source: '203.0.113.7', suppressed: 1 }]);
    expect(budget.drainSuppressed()).toEqual([]);
    // A new window: the budget is whole again.
    expect(takeTimes(() => budget.take('203.0.113.7'), 60)).toEqual(Array(60).fill(true));
  });

  it('keeps sources apart: one peer spending its budget does not touch another', () => {
    const clock = createFixedClock(START);
    const budget = createUnauthenticatedBudget({ clock, limit: 2 });
    expect(takeTimes(() => budget.take('a'), 5)).toEqual([true, true, false, false, false]);
    expect(takeTimes(() => budget.take('b'), 3)).toEqual([true, true, false]);
    clock.advance(60_000);
    expect(budget.drainSuppressed()).toEqual([
      { source: 'a', suppressed: 3 },
      { source: 'b', suppressed: 1 },
    ]);
  });

  it('reports the count when the next event from that source starts a new window', () => {
    const clock = createFixedClock(START);
    const budget = createUnauthenticatedBudget({ clock, limit: 1, windowMs: 1_000 });
    expect(takeTimes(() => budget.take('a'), 4)).toEqual([true, false, false, false]);
    clock.advance(1_000);
    expect(budget.take('a')).toBe(true);
    expect(budget.drainSuppressed()).toEqual([{ source: 'a', suppressed: 3 }]);
  });

  it('forgets the least recently seen source past maxSources, reporting what it had suppressed', () => {
    const clock = createFixedClock(START);
    const budget = createUnauthenticatedBudget({ clock, limit: 1, maxSources: 2 });
    expect(takeTimes(() => budget.take('a'), 3)).toEqual([true, false, false]);
    expect(budget.take('b')).toBe(true);
    expect(budget.take('c')).toBe(true);
    expect(budget.drainSuppressed()).toEqual([{ source: 'a', suppressed: 2 }]);
    // 'a' was forgotten, so it starts a fresh window (and 'b', now least recent, is forgotten).
    expect(budget.take('a')).toBe(true);
    expect(budget.take('c')).toBe(false);
    clock.advance(60_000);
    expect(budget.drainSuppressed()).toEqual([{ source: 'c', suppressed: 1 }]);
  });

  it('counts one budget per IPv6 /64 and caps all sources together', () => {
    expect(sourceKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(sourceKey('2001:0db8:0001:0002:ffff:ffff:ffff:ffff')).toBe('2001:db8:1:2::/64');
    expect(sourceKey('::1')).toBe('0:0:0:0::/64');
    expect(sourceKey('::ffff:10.0.0.1')).toBe('::ffff:10.0.0.1');
    expect(sourceKey('10.0.0.1')).toBe('10.0.0.1');
    expect(sourceKey('jti:abc')).toBe('jti:abc');

    const clock = createFixedClock(0);
    const budget = createUnauthenticatedBudget({ clock, limit: 2, globalLimit: 3 });
    expect([
      budget.take('2001:db8:1:2::a'),
      budget.take('2001:db8:1:2::b'),
      budget.take('2001:db8:1:2::c'),
    ]).toEqual([true, true, false]);
    expect(budget.take('10.0.0.1')).toBe(true);
    // The global cap (3) is spent even though 10.0.0.2 has its own budget left.
    expect(budget.take('10.0.0.2')).toBe(false);
    clock.advance(60_000);
    expect(budget.take('10.0.0.2')).toBe(true);
    // One summary for the /64 over its own budget, one for everything the global cap refused.
    expect(budget.drainSuppressed()).toEqual([
      { source: '*', suppressed: 1 },
      { source: '2001:db8:1:2::/64', suppressed: 1 },
    ]);
  });

  it('summarises a many-source flood over the global cap once, not once per source', () => {
    const clock = createFixedClock(0);
    const budget = createUnauthenticatedBudget({ clock, limit: 60, globalLimit: 100 });
    let stored = 0;
    for (let i = 0; i < 5000; i++) if (budget.take(`10.0.${i >> 8}.${i & 255}`)) stored++;
    expect(stored).toBe(100);
    clock.advance(60_000);
    expect(budget.drainSuppressed()).toEqual([{ source: '*', suppressed: 4900 }]);
  });
});
