import { freePort, type RedisServer } from '@writ/test/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBenchRedis } from '../bench/bench-env.js';
import {
  type BrokerFixture,
  createOperatorKey,
  mintSvids,
  writeBrokerFixture,
} from '../bench/broker-fixture.js';
import { type BuiltBroker, startBuiltBroker } from '../bench/built-broker.js';
import { runSoak } from '../bench/soak.js';

const SECONDS = 20;
const CONNECTIONS = 50;

/**
 * The CI soak: the built broker (apps/broker/dist, which CI builds before the tests) started
 * with the production node command over a private Redis, 20 s of mixed exchange / authorize /
 * introspect at 50 connections. The process must stay up, answer no 5xx, and its RSS must not
 * grow past 1.5 × what it was 5 s in. `pnpm bench soak` is the long, pinned version.
 */
describe('e2e: soak of the built broker', () => {
  let redis: RedisServer;
  let fixture: BrokerFixture;
  let broker: BuiltBroker;

  beforeAll(async () => {
    redis = await startBenchRedis();
    // The soak is about crashes and memory: a Redis command slowed past the default 500 ms by the
    // rest of the suite running beside it on the same two cores would be a 503, not a finding.
    fixture = await writeBrokerFixture({
      port: await freePort(),
      redisUrl: redis.url,
      extra: { redis: { url: redis.url, command_timeout_ms: 3000 } },
    });
    broker = await startBuiltBroker({ configFile: fixture.configFile, port: fixture.port });
  }, 60_000);

  afterAll(async () => {
    await broker?.stop();
    await fixture?.remove();
    await redis?.stop();
  });

  it(
    'stays up with zero 5xx and bounded RSS under 20 s of mixed load',
    async () => {
      expect(broker.adminKey, '`main.js bootstrap` prints the first admin key').toBeDefined();
      const introspectKey = await createOperatorKey(broker.url, broker.adminKey ?? '', 'soak', [
        'introspect',
      ]);
      const svids = await mintSvids(fixture, 100);
      const soak = await runSoak({
        broker,
        svids,
        introspectKey,
        seconds: SECONDS,
        connections: CONNECTIONS,
        baselineAfterSeconds: 5,
      });
      const serverErrors = Object.entries(soak.statuses)
        .filter(([code]) => Number(code) >= 500)
        .reduce((n, [, count]) => n + count, 0);
      expect(soak.exited, broker.stderr().slice(-2000)).toBeNull();
      expect(broker.exitStatus()).toBeNull();
      expect(soak.total).toBeGreaterThan(0);
      expect(serverErrors, JSON.stringify(soak.statuses)).toBe(0);
      expect(soak.errors).toBe(0);
      expect(soak.rssEnd).toBeGreaterThan(0);
      expect(soak.rssEnd).toBeLessThanOrEqual(1.5 * soak.rssBaseline);
    },
    SECONDS * 1000 + 60_000,
  );
});
