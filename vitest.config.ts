import { defineConfig } from 'vitest/config';

// One vitest run for the whole workspace: one global real redis-server (test/harness),
// shared by every package's tests. CI adds a JSON report that .ci/run turns into its last line.
const reporters: string[] = ['default'];
if (process.env.CI) reporters.push('json');

export default defineConfig({
  // Workspace packages (@writ/claims, @writ/verifier) export their TypeScript source under the
  // `source` condition, so tests run against src/ without a build step (tsconfig.base.json says
  // the same to tsc via customConditions); published tarballs export dist/ only.
  resolve: { conditions: ['source', 'module', 'node', 'development|production'] },
  ssr: { resolve: { conditions: ['source', 'module', 'node', 'development|production'] } },
  test: {
    include: [
      'apps/*/src/**/*.test.ts',
      'apps/*/test/**/*.test.ts',
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
      'test/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**'],
    // eventsource-parser (under the MCP SDK) also exports its TypeScript under `source`: let vite
    // transform it instead of handing node a .ts file.
    server: { deps: { inline: ['@modelcontextprotocol/sdk', 'eventsource-parser'] } },
    globalSetup: ['test/harness/global-setup.ts'],
    reporters,
    outputFile: { json: '.writ-test/vitest-report.json' },
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // vitest's default in `run` mode is one worker per core minus one: a single worker on the
    // two-core machines this runs on. Most files wait on Redis, argon2 (libuv pool) or sockets,
    // so two workers overlap that waiting. Keep isolation (a fresh process per file): with
    // isolate: false a long-lived worker hit a V8 deoptimizer crash and lost a file's tests.
    maxWorkers: 2,
    // The broker's V8 guard (docs/adr/0003): Cedar's wasm calls crash V8 without it under load.
    execArgv: ['--no-turbo-inline-js-wasm-calls'],
  },
});
