import { defineConfig } from 'vitest/config';

// One vitest run for the whole workspace: one global real redis-server (test/harness),
// shared by every package's tests. CI adds a JSON report that .ci/run turns into its last line.
const reporters: string[] = ['default'];
if (process.env.CI) reporters.push('json');

export default defineConfig({
  test: {
    include: [
      'apps/*/src/**/*.test.ts',
      'apps/*/test/**/*.test.ts',
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**'],
    globalSetup: ['test/harness/global-setup.ts'],
    reporters,
    outputFile: { json: '.writ-test/vitest-report.json' },
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
