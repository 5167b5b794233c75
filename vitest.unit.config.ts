import { defineConfig } from 'vitest/config';

// The fast lane (`pnpm test:unit`): pure unit tests, no Redis, no child processes (loopback HTTP
// servers created in-process are fine). Unit tests live next to their code under src/; the few
// there that need a real Redis are named redis-*.test.ts or *.contract.test.ts and run only in the
// full suite (vitest.config.ts). No global setup here: `inject('redisUrl')` is undefined, and
// test/harness/unit-lane-setup.ts makes any Redis client or child process fail the test loudly.
export default defineConfig({
  test: {
    include: ['apps/*/src/**/*.test.ts', 'packages/*/src/**/*.test.ts', 'test/harness/wait-for.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/redis-*.test.ts', '**/*.contract.test.ts'],
    setupFiles: ['test/harness/unit-lane-setup.ts'],
    testTimeout: 10_000,
    hookTimeout: 10_000,
    pool: 'threads',
    maxWorkers: 2,
    isolate: false,
  },
});
