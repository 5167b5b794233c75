import { inject } from 'vitest';
import './provided.js';

/**
 * The Redis URL the global setup (test/harness/global-setup.ts) gave this run. Throws a clear
 * error when there is none: the test runs without the global setup (the unit lane, or a
 * hand-rolled config), so it must not quietly connect elsewhere.
 */
export function redisUrlOfThisRun(): string {
  const url = inject('redisUrl');
  if (typeof url !== 'string' || url === '') {
    throw new Error(
      'No Redis for this run: inject("redisUrl") is empty because test/harness/global-setup.ts did not run. ' +
        'Tests that need Redis run in the full suite (pnpm test), never in the unit lane (pnpm test:unit).',
    );
  }
  return url;
}
