import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createAuditLog } from '../../src/audit/audit-log.js';
import { createClientAddressResolver } from '../../src/http/client-address.js';
import {
  type BrokerConfig,
  buildBroker,
  createApp,
  createBrokerServer,
  createLogger,
  loadConfig,
  type OperatorAuthenticatorOptions,
  type WritStore,
} from '../../src/index.js';
import { createOperatorKey } from '../../src/operators/manage-operator-keys.js';
import type { OperatorAuthenticator } from '../../src/operators/operator-authenticator.js';
import { systemClock } from '../../src/shared/clock.js';
import type { OperatorRole } from '../../src/store/index.js';
import { createTestIssuer, type TestIssuer } from './test-issuer.js';

export const SERVED_ISSUER = 'https://writ.bench.example';
export const SERVED_AUDIENCE = 'https://api.test.example';

export interface ServedBroker {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The issuer writs name: SERVED_ISSUER, or `url` when asked. */
  issuerUrl: string;
  /** SVIDs for `spiffe://dev.local/...` (the built-in dev policies let those start tasks). */
  issuer: TestIssuer;
  store: WritStore;
  /** Log lines at `logLevel` and above. */
  logs: string[];
  /** A real operator key with `roles` (created through the key domain), e.g. `['feed']`. */
  operatorKey(roles: OperatorRole[]): Promise<string>;
  close(): Promise<void>;
}

/**
 * The real broker on a loopback port over a real Redis, for benchmarks and scripts that need
 * sockets rather than `app.request()`. No vitest imports: it runs under plain tsx.
 */
export async function serveBroker(options: {
  redisUrl: string;
  /** `warn` by default; `info` adds one line per request with its server-side duration. */
  logLevel?: 'warn' | 'info';
  operatorAuth?: Pick<OperatorAuthenticatorOptions, 'verifyHash' | 'maxConcurrentVerifications'>;
  /** Adjusts the configuration (e.g. a short revocation heartbeat). */
  config?: (config: BrokerConfig) => BrokerConfig;
  /**
   * The broker's issuer: SERVED_ISSUER by default, or `'url'` for its own loopback URL, for
   * clients that find the broker by its issuer (an MCP client follows the issuer to its metadata).
   */
  issuer?: 'url';
}): Promise<ServedBroker> {
  // Listening first, so the issuer can be the URL; requests are served once the broker is built.
  let serve: ((request: Request) => Response | Promise<Response>) | undefined;
  let operators: Pick<OperatorAuthenticator, 'blockedFor'> | undefined;
  const server = createBrokerServer(
    (request) => (serve ? serve(request) : new Response(null, { status: 503 })),
    {
      operators: {
        blockedFor: (clientKey, authorization) => operators?.blockedFor(clientKey, authorization) ?? null,
      },
      // Loopback clients, no proxies; the default connection limits and timeouts.
      clientAddress: createClientAddressResolver([]),
      limits: loadConfig({ WRIT_DEV: '1' }).limits,
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const brokerIssuer = options.issuer === 'url' ? url : SERVED_ISSUER;
  const issuer = await createTestIssuer({
    audience: brokerIssuer,
    nowSeconds: () => Math.floor(Date.now() / 1000),
    trustDomain: 'dev.local',
  });
  const base = loadConfig({ WRIT_DEV: '1', WRIT_ISSUER: brokerIssuer, WRIT_REDIS_URL: options.redisUrl });
  // Not dev mode: no dev identity issuer competing for dev.local, only the test issuer's bundle.
  const config: BrokerConfig = (options.config ?? ((c) => c))({
    ...base,
    dev: false,
    audiences: [SERVED_AUDIENCE],
    trust: { spiffe: [issuer.config], oidc: [] },
    rate_limits: { token: { limit: 1_000_000, window_seconds: 60 } },
  });
  const logs: string[] = [];
  const logger = createLogger({
    level: options.logLevel ?? 'warn',
    destination: new Writable({
      write(chunk, _enc, done) {
        logs.push(String(chunk));
        done();
      },
    }),
  });
  const broker = await buildBroker(config, logger, {
    ...(options.operatorAuth ? { operatorAuth: options.operatorAuth } : {}),
  });
  const app = createApp(broker.app);
  serve = (request) => app.fetch(request);
  operators = broker.app.operators;
  return {
    url,
    issuerUrl: brokerIssuer,
    issuer,
    store: broker.store,
    logs,
    async operatorKey(roles) {
      const deps = {
        store: broker.store,
        clock: systemClock,
        audit: createAuditLog({ store: broker.store, logger }),
      };
      const { key } = await createOperatorKey(
        deps,
        { name: `served-${roles.join('-')}`, roles },
        {
          keyId: 'served-setup',
          requestId: 'served-setup',
        },
      );
      return key;
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await broker.close();
    },
  };
}
