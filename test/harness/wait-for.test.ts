import { describe, expect, it } from 'vitest';
import { WaitForTimeoutError, waitFor } from './wait-for.js';

describe('waitFor', () => {
  it('resolves once the predicate turns true, polling sync and async predicates', async () => {
    let calls = 0;
    await waitFor(() => ++calls >= 3, { intervalMs: 1 });
    expect(calls).toBe(3);
    let asyncCalls = 0;
    await waitFor(async () => ++asyncCalls >= 2, { intervalMs: 1 });
    expect(asyncCalls).toBe(2);
  });

  it('rejects after the timeout, naming the condition and keeping the last thrown error', async () => {
    const started = Date.now();
    const failure = waitFor(
      () => {
        throw new Error('not yet');
      },
      { timeoutMs: 100, intervalMs: 10, description: 'the key to expire' },
    );
    await expect(failure).rejects.toBeInstanceOf(WaitForTimeoutError);
    await expect(failure).rejects.toThrow('waitFor: the key to expire not met within 100 ms');
    await expect(failure).rejects.toMatchObject({ cause: new Error('not yet') });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(100);
    expect(elapsed).toBeLessThan(1000);
  });
});
