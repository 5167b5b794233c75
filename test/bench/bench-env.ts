import { freePort, type RedisServer, startRedis } from '@writ/test/harness';
import { type BrokerFixture, createOperatorKey, mintSvids, writeBrokerFixture } from './broker-fixture.js';
import { type BuiltBroker, startBuiltBroker } from './built-broker.js';
import { LOAD_CORE, pinProcess, SERVER_CORE } from './pinning.js';

/** Distinct principals spiffe://prod.example.com/agents/bench-N minted up front. */
export const SVID_COUNT = 500;

export interface RedisBrokerEnv {
  redis: RedisServer;
  fixture: BrokerFixture;
  broker: BuiltBroker;
  svids: string[];
  keys: { admin: string; introspect: string; read: string; revoke: string };
  close(): Promise<void>;
}

/** The private Redis the broker needs: noeviction (the broker checks), no persistence. */
export async function startBenchRedis(): Promise<RedisServer> {
  const redis = await startRedis({ args: ['--maxmemory-policy', 'noeviction', '--appendonly', 'no'] });
  pinProcess(redis.pid, LOAD_CORE);
  return redis;
}

/**
 * Redis pinned to the load core, the built broker (production node command) pinned to the
 * server core, operator keys for introspect / read / revoke, and SVIDs for SVID_COUNT principals.
 */
export async function startRedisBrokerEnv(svidCount = SVID_COUNT): Promise<RedisBrokerEnv> {
  const redis = await startBenchRedis();
  const closers: Array<() => Promise<void>> = [() => redis.stop()];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch(() => undefined);
  };
  try {
    const fixture = await writeBrokerFixture({ port: await freePort(), redisUrl: redis.url });
    closers.push(() => fixture.remove());
    const broker = await startBuiltBroker({
      configFile: fixture.configFile,
      port: fixture.port,
      core: SERVER_CORE,
    });
    closers.push(() => broker.stop());
    const admin = broker.adminKey;
    if (!admin) throw new Error(`the broker printed no bootstrap admin key on stderr:\n${broker.stderr()}`);
    const keys = {
      admin,
      introspect: await createOperatorKey(broker.url, admin, 'bench-introspect', ['introspect']),
      read: await createOperatorKey(broker.url, admin, 'bench-read', ['read']),
      revoke: await createOperatorKey(broker.url, admin, 'bench-revoke', ['revoke']),
    };
    const svids = await mintSvids(fixture, svidCount);
    return { redis, fixture, broker, svids, keys, close };
  } catch (err) {
    await close();
    throw err;
  }
}

export interface DevBrokerEnv {
  fixture: BrokerFixture;
  broker: BuiltBroker;
  close(): Promise<void>;
}

/** The same built broker in dev mode (memory store, dev identities), pinned to the server core. */
export async function startDevBrokerEnv(): Promise<DevBrokerEnv> {
  const fixture = await writeBrokerFixture({ port: await freePort() });
  try {
    const broker = await startBuiltBroker({
      configFile: fixture.configFile,
      port: fixture.port,
      core: SERVER_CORE,
    });
    return {
      fixture,
      broker,
      async close() {
        await broker.stop();
        await fixture.remove();
      },
    };
  } catch (err) {
    await fixture.remove();
    throw err;
  }
}
