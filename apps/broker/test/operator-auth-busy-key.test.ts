import { afterEach, describe, expect, it } from 'vitest';
import { verifySecret } from '../src/operators/key-hashing.js';
import { createTestOperatorKey } from './support/fixtures.js';
import { createTestBroker, type TestBroker } from './support/test-broker.js';

const CACHE_TTL_MS = 30_000;

describe.each(['redis', 'memory'] as const)('a busy operator key (%s)', (store) => {
  let t: TestBroker;
  let argon2Runs = 0;
  afterEach(async () => t?.close());

  async function start() {
    argon2Runs = 0;
    t = await createTestBroker({
      store,
      operatorAuth: {
        cacheTtlMs: CACHE_TTL_MS,
        verifyHash: (hash, secret) => {
          argon2Runs++;
          return verifySecret(hash, secret);
        },
      },
    });
    return t;
  }
  const list = (key: string) =>
    t.app.request('/v1/operator-keys', { headers: { authorization: `Bearer ${key}` } });

  it('50 requests at once share one argon2 run: none is refused at the gate', async () => {
    await start();
    const { key } = await createTestOperatorKey(t, ['admin']);
    const answers = await Promise.all(Array.from({ length: 50 }, () => list(key)));
    expect(answers.map((r) => r.status)).toEqual(Array.from({ length: 50 }, () => 200));
    expect(argon2Runs).toBe(1);
  });

  it('stays verified while in use (sliding), and is verified again after a pause', async () => {
    await start();
    const { key } = await createTestOperatorKey(t, ['admin']);
    expect((await list(key)).status).toBe(200);
    for (let i = 0; i < 4; i++) {
      t.clock.advance(CACHE_TTL_MS - 1_000);
      expect((await list(key)).status).toBe(200);
    }
    expect(argon2Runs).toBe(1);
    t.clock.advance(CACHE_TTL_MS);
    expect((await list(key)).status).toBe(200);
    expect(argon2Runs).toBe(2);
  });
});
