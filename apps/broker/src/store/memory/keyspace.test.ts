import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFixedClock } from '../../shared/clock.js';
import { createMemoryKeyspace } from './keyspace.js';

describe('memory keyspace: sortedSetLowest (ZRANGEBYSCORE -inf (below LIMIT 0 n)', () => {
  it('equals sorting the whole set, after any adds and removals (property)', () => {
    const member = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h');
    const op = fc.oneof(
      fc.record({ add: member, score: fc.integer({ min: 0, max: 20 }) }),
      fc.record({ remove: member }),
    );
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 40 }),
        fc.integer({ min: 0, max: 21 }),
        fc.nat(5),
        (ops, below, limit) => {
          const keyspace = createMemoryKeyspace(createFixedClock(0));
          for (const o of ops) {
            if ('add' in o) keyspace.addToSortedSet('z', o.add, o.score);
            else keyspace.removeFromSortedSet('z', (m) => m === o.remove);
          }
          const expected = keyspace
            .sortedSetDescending('z')
            .reverse()
            .filter(([, score]) => score < below)
            .slice(0, limit);
          expect(keyspace.sortedSetLowest('z', below, limit)).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});
