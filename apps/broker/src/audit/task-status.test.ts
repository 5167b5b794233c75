import { describe, expect, it } from 'vitest';
import type { TaskRecord, TaskStatus } from '../store/index.js';
import { createTaskStatusResolver, deriveTaskStatus } from './task-status.js';

const NOW = 1_800_000_000;

function task(id: string, chain: string[], status: TaskStatus = 'live', expiresAt = NOW + 60): TaskRecord {
  return {
    id,
    ...(chain.length ? { parent: chain.at(-1) as string } : {}),
    chain,
    principal: 'spiffe://test.example/a',
    issuer: 'spiffe:test.example',
    client_id: 'spiffe://test.example/a',
    intent: 'x',
    data_class: 'public',
    tools: ['t.read'],
    resources: [],
    data_classes: ['public'],
    created_at: NOW - 60,
    expires_at: expiresAt,
    status,
  };
}

function storeOf(records: TaskRecord[]) {
  const reads: string[] = [];
  const byId = new Map(records.map((r) => [r.id, r]));
  return {
    reads,
    async getTask(id: string) {
      reads.push(id);
      return byId.get(id) ?? null;
    },
  };
}

describe('deriveTaskStatus', () => {
  it('own ending wins, then an inherited ending, then expiry at expires_at', () => {
    expect(deriveTaskStatus(task('a', [], 'completed'), 'revoked', NOW)).toBe('completed');
    expect(deriveTaskStatus(task('a', []), 'quarantined', NOW)).toBe('quarantined');
    expect(deriveTaskStatus(task('a', [], 'live', NOW), 'live', NOW)).toBe('expired');
    expect(deriveTaskStatus(task('a', [], 'live', NOW + 1), 'live', NOW)).toBe('live');
    expect(deriveTaskStatus(task('a', [], 'live', NOW + 1), 'expired', NOW)).toBe('expired');
  });
});

describe('createTaskStatusResolver', () => {
  it("reports the nearest ended ancestor's status for a live descendant", async () => {
    const store = storeOf([
      task('r', [], 'revoked'),
      task('p', ['r'], 'completed'),
      task('c', ['r', 'p']),
      task('q', ['r']),
    ]);
    const resolver = createTaskStatusResolver(store, NOW);
    expect(await resolver.statusOf(task('c', ['r', 'p']))).toBe('completed');
    expect(await resolver.statusOf(task('q', ['r']))).toBe('revoked');
    expect(await resolver.statusOf(task('r', [], 'revoked'))).toBe('revoked');
    // Each ancestor is read once per resolver.
    expect(store.reads.sort()).toEqual(['p', 'r']);
  });

  it('is live only when every ancestor is live and unexpired; a missing ancestor means expired', async () => {
    const store = storeOf([task('r', []), task('p', ['r']), task('old', [], 'live', NOW - 1)]);
    const resolver = createTaskStatusResolver(store, NOW);
    expect(await resolver.statusOf(task('c', ['r', 'p']))).toBe('live');
    expect(await resolver.statusOf(task('c2', ['old']))).toBe('expired');
    expect(await resolver.statusOf(task('c3', ['gone']))).toBe('expired');
  });
});
