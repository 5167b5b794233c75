import { defineConfig } from 'vitest/config';

// The fast lane (`pnpm test:unit`): pure unit tests, no Redis, no child processes (loopback HTTP
// servers created in-process are fine). Unit tests live next to their code under src/; the few
// there that need a real Redis (store/redis/, redis-*.test.ts, *.contract.test.ts) run only in the
// full suite (vitest.config.ts). No global setup here: `inject('redisUrl')` is undefined, and
// test/harness/unit-lane-setup.ts makes any Redis client or child process fail the test loudly.
export default defineConfig({
  // Workspace packages (@writ/claims, @writ/verifier) export their TypeScript source under the
  // `source` condition, so tests run against src/ without a build step (tsconfig.base.json says
  // the same to tsc via customConditions); published tarballs export dist/ only.
  resolve: { conditions: ['source', 'module', 'node', 'development|production'] },
  ssr: { resolve: { conditions: ['source', 'module', 'node', 'development|production'] } },
  test: {
    include: ['apps/*/src/**/*.test.ts', 'packages/*/src/**/*.test.ts', 'test/harness/wait-for.test.ts'],
    exclude: [
      '**/node_modules/**',
      '**/dist/**',
      '**/redis-*.test.ts',
      '**/*.contract.test.ts',
      // The Redis room of the store: its tests run against real redis-server processes.
      'apps/broker/src/store/redis/**',
    ],
    setupFiles: ['test/harness/unit-lane-setup.ts'],
    testTimeout: 10_000,
    hookTimeout: 10_000,
    // Processes, not threads: the broker's V8 guard (docs/adr/0003) is a process flag.
    pool: 'forks',
    execArgv: ['--no-turbo-inline-js-wasm-calls'],
    maxWorkers: 2,
    isolate: false,
  },
});
