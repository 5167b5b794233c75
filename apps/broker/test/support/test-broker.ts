import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { redisUrlOfThisRun } from '@writ/test/harness';
import { Redis } from 'ioredis';
import { createApp } from '../../src/app.js';
import { type BrokerConfig, loadConfig } from '../../src/config.js';
import { buildBroker } from '../../src/deps.js';
import { createBrokerServer } from '../../src/http/broker-server.js';
import { newRandomId } from '../../src/issuance/ids.js';
import type { OperatorAuthenticatorOptions } from '../../src/operators/create-operator-authenticator.js';
import { createPolicySet, createStaticPolicyEngine } from '../../src/policy/index.js';
import { createFixedClock } from '../../src/shared/clock.js';
import { createLogger } from '../../src/shared/create-logger.js';
import {
  createMemoryStore,
  createRedisStore,
  type StoreSnapshot,
  type WritStore,
} from '../../src/store/index.js';
import { deleteKeys, snapshotRedis } from '../store/support/redis-snapshot.js';
import { createTestIssuer, type TestIssuer } from './test-issuer.js';

export const BROKER_ISSUER = 'https://writ.test.example';
export const API_AUDIENCE = 'https://api.test.example';

/** Test policy: test.example and dev.local agents, data up to confidential, delegation within them. */
export const TEST_POLICIES = `
@id("agents-start")
permit (principal, action == Writ::Action::"start_task", resource)
when { principal.trust_domain == "test.example" && context.data_class_level <= 2 };

@id("agents-delegate")
permit (principal, action == Writ::Action::"delegate", resource)
when { context.actor like "spiffe://test.example/*" };

@id("no-untrusted-workers")
forbid (principal, action == Writ::Action::"delegate", resource)
when { context.actor like "spiffe://test.example/untrusted/*" };

@id("no-prod-deploy")
forbid (principal, action, resource == Writ::Tool::"prod.deploy");

@id("quarantine-greedy")
permit (principal, action == Writ::Action::"quarantine_on_violation", resource)
when { principal.id like "spiffe://test.example/greedy/*" };

@id("agents-call")
permit (principal, action == Writ::Action::"call_tool", resource)
when { principal.trust_domain == "test.example" };

@id("no-call-db-drop")
forbid (principal, action == Writ::Action::"call_tool", resource == Writ::Tool::"db.drop");
`;

export interface TestBrokerOptions {
  store?: 'memory' | 'redis';
  /** Cedar text; TEST_POLICIES by default. */
  policies?: string;
  config?: (config: BrokerConfig) => BrokerConfig;
  /** For tests that need their own Redis server (kill, restart). */
  redisUrl?: string;
  commandTimeoutMs?: number;
  /** Tune or instrument operator-key authentication (e.g. count argon2 runs). */
  operatorAuth?: Pick<
    OperatorAuthenticatorOptions,
    'verifyHash' | 'maxConcurrentVerifications' | 'cacheTtlMs' | 'failureLimit'
  >;
  /** Instrument the real store the broker gets (for example, count its reads). */
  wrapStore?: (store: WritStore) => WritStore;
}

export interface TestBroker {
  app: ReturnType<typeof createApp>;
  store: WritStore;
  clock: ReturnType<typeof createFixedClock>;
  issuer: TestIssuer;
  logs: string[];
  config: BrokerConfig;
  /** Every key the broker's store holds (audit stream included), to prove what a request wrote. */
  snapshot(): Promise<StoreSnapshot>;
  /** Audit events in the store, oldest first. */
  auditEvents(): Promise<Array<Record<string, unknown>>>;
  exchange(form: Record<string, string | string[]>): Promise<Response>;
  /** Serves the app on a loopback port through the real broker server (closed by close()). */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export async function createTestBroker(options: TestBrokerOptions = {}): Promise<TestBroker> {
  const clock = createFixedClock(Math.floor(Date.now() / 1000) * 1000);
  const issuer = await createTestIssuer({ audience: BROKER_ISSUER, nowSeconds: clock.nowSeconds });
  const base = loadConfig({ WRIT_DEV: '1', WRIT_ISSUER: BROKER_ISSUER, WRIT_LOG_LEVEL: 'debug' });
  const config = (options.config ?? ((c) => c))({
    ...base,
    audiences: [API_AUDIENCE, 'https://other.test.example'],
    trust: { spiffe: [issuer.config], oidc: [] },
    rate_limits: { token: { limit: 1000, window_seconds: 60 } },
  });
  const logs: string[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk, _enc, done) {
        logs.push(String(chunk));
        done();
      },
    }),
  });

  const prefix = `writ:test:${newRandomId()}:`;
  let redis: Redis | undefined;
  let store: WritStore;
  let snapshot: () => Promise<StoreSnapshot>;
  if ((options.store ?? 'redis') === 'redis') {
    const url = options.redisUrl ?? redisUrlOfThisRun();
    redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
    // Tests kill Redis on purpose: the snapshot client's reconnect errors are expected, not news.
    redis.on('error', () => undefined);
    store = createRedisStore({
      url,
      clock,
      logger,
      keyPrefix: prefix,
      commandTimeoutMs: options.commandTimeoutMs ?? 500,
    });
    const client = redis;
    snapshot = () => snapshotRedis(client, prefix);
  } else {
    const memory = createMemoryStore({ clock });
    store = memory;
    snapshot = async () => memory.snapshot();
  }
  const policy = createStaticPolicyEngine(
    createPolicySet([{ file: 'test.cedar', text: options.policies ?? TEST_POLICIES }]),
  );
  const broker = await buildBroker(config, logger, {
    clock,
    store: options.wrapStore ? options.wrapStore(store) : store,
    policy,
    ...(options.operatorAuth ? { operatorAuth: options.operatorAuth } : {}),
  });
  const app = createApp(broker.app);

  const servers: Server[] = [];
  const auditEvents = async () => {
    const snap = await snapshot();
    const entries = Object.entries(snap).find(([key]) => key.endsWith('audit'))?.[1];
    return (Array.isArray(entries) ? entries : []).map((e) => JSON.parse(e) as Record<string, unknown>);
  };
  return {
    app,
    store,
    clock,
    issuer,
    logs,
    config,
    snapshot: async () => withoutLastUse(await snapshot()),
    auditEvents,
    exchange: async (form) => app.request('/oauth2/token', formRequest(form)),
    async listen() {
      const server = createBrokerServer(app.fetch, {
        operators: broker.app.operators,
        clientAddress: broker.app.clientAddress,
        limits: config.limits,
      });
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    async close() {
      for (const server of servers.splice(0)) {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
      await broker.close();
      if (redis) {
        await deleteKeys(redis, prefix).catch(() => undefined);
        redis.disconnect();
      }
    },
  };
}

export function formRequest(form: Record<string, string | string[]>): RequestInit {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(form)) {
    for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
  }
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: body.toString(),
  };
}

/**
 * A snapshot without operator keys' `last_used_at`: every authenticated request may stamp its key's
 * last use (at most once a minute, without waiting for it), which is not what "nothing written"
 * assertions are about.
 */
function withoutLastUse(snapshot: StoreSnapshot): StoreSnapshot {
  const result: StoreSnapshot = {};
  for (const [key, value] of Object.entries(snapshot)) {
    if (/:opkey:[^:]+$/.test(key) && typeof value === 'object' && !Array.isArray(value)) {
      const { last_used_at: _used, ...rest } = value;
      result[key] = rest;
    } else {
      result[key] = value;
    }
  }
  return result;
}
