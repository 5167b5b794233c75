import { describe, expect, it } from 'vitest';
import { createVerificationGate } from './verification-gate.js';

describe('createVerificationGate', () => {
  it('runs at most maxConcurrent, queues at most maxQueued and refuses the rest', async () => {
    const gate = createVerificationGate({ maxConcurrent: 2, maxQueued: 3 });
    const entered = Array.from({ length: 7 }, () => gate.enter());
    expect(entered.filter((e) => e === null)).toHaveLength(2);
    expect(gate.running).toBe(2);
    expect(gate.queued).toBe(3);

    const first = await entered[0];
    first?.();
    first?.(); // a second release of the same slot is ignored
    expect(gate.running).toBe(2);
    expect(gate.queued).toBe(2);
    const third = await entered[2];
    expect(typeof third).toBe('function');
  });

  it('frees every slot once all holders release', async () => {
    const gate = createVerificationGate({ maxConcurrent: 1, maxQueued: 2 });
    const entered = [gate.enter(), gate.enter(), gate.enter()];
    for (const entering of entered) (await entering)?.();
    expect(gate.running).toBe(0);
    expect(gate.queued).toBe(0);
    expect(gate.enter()).not.toBeNull();
  });

  it('refuses bad options', () => {
    expect(() => createVerificationGate({ maxConcurrent: 0, maxQueued: 1 })).toThrow();
    expect(() => createVerificationGate({ maxConcurrent: 1, maxQueued: -1 })).toThrow();
  });
});
