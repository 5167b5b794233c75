import { vi } from 'vitest';

// Setup file of the unit lane (vitest.unit.config.ts). A test that needs Redis or a child process
// belongs to the full suite (`pnpm test`); if one lands here it fails at once with this message
// instead of hanging on a connection or silently passing against nothing.
const WRONG_LANE =
  'this test needs a real Redis or a child process: it cannot run in the unit lane (pnpm test:unit). ' +
  'Name it redis-*.test.ts, or put it under apps/*/test or test/, so that only `pnpm test` runs it.';

function refuse(): never {
  throw new Error(WRONG_LANE);
}

vi.mock('ioredis', async (importOriginal) => {
  const real = await importOriginal<typeof import('ioredis')>();
  class NoRedisInTheUnitLane {
    constructor() {
      refuse();
    }
  }
  return {
    ...real,
    default: NoRedisInTheUnitLane,
    Redis: NoRedisInTheUnitLane,
    Cluster: NoRedisInTheUnitLane,
  };
});

vi.mock('node:child_process', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:child_process')>();
  return { ...real, spawn: refuse, spawnSync: refuse, exec: refuse, execFile: refuse, fork: refuse };
});
