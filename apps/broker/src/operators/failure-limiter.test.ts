import { describe, expect, it } from 'vitest';
import { createFixedClock } from '../shared/clock.js';
import { silentLogger } from '../shared/logger.js';
import { createMemoryStore } from '../store/index.js';
import { createFailureLimiter } from './failure-limiter.js';

describe('createFailureLimiter', () => {
  const setup = (maxClients?: number) => {
    const clock = createFixedClock(1_700_000_000_000);
    const store = createMemoryStore({ clock });
    const limiter = (max = maxClients) =>
      createFailureLimiter({
        store,
        clock,
        logger: silentLogger,
        limit: 3,
        windowSeconds: 60,
        ...(max ? { maxClients: max } : {}),
      });
    return { clock, store, limiter };
  };

  it('blocks a client after `limit` failures until the window ends', async () => {
    const { clock, limiter } = setup();
    const a = limiter();
    for (let i = 0; i < 3; i++) {
      expect(a.retryAfter('10.0.0.1')).toBeNull();
      await a.recordFailure('10.0.0.1', i % 2 === 0);
    }
    expect(a.retryAfter('10.0.0.1')).toBe(60);
    expect(a.retryAfter('10.0.0.2')).toBeNull();
    clock.advance(45_000);
    expect(a.retryAfter('10.0.0.1')).toBe(15);
    clock.advance(15_000);
    expect(a.retryAfter('10.0.0.1')).toBeNull();
  });

  it('shares counts across replicas through the store', async () => {
    const { store, limiter } = setup();
    await store.init();
    const a = limiter();
    const b = limiter();
    for (let i = 0; i < 3; i++) await a.recordFailure('10.0.0.9', true);
    expect(a.retryAfter('10.0.0.9')).toBe(60);
    // B has seen nothing yet; its first failure learns the shared count and blocks the client.
    expect(b.retryAfter('10.0.0.9')).toBeNull();
    await b.recordFailure('10.0.0.9', true);
    expect(b.retryAfter('10.0.0.9')).toBe(60);
  });

  it('forgets the least recently seen client beyond maxClients', async () => {
    const { limiter } = setup(2);
    const a = limiter();
    for (const client of ['x', 'y', 'z']) {
      for (let i = 0; i < 3; i++) await a.recordFailure(client, false);
    }
    expect(a.retryAfter('x')).toBeNull();
    expect(a.retryAfter('y')).toBe(60);
    expect(a.retryAfter('z')).toBe(60);
  });
});
