import type { AppDeps } from './app.js';
import { createAuditLog } from './audit/audit-log.js';
import type { BrokerConfig } from './config.js';
import { createClientAddressResolver } from './http/client-address.js';
import {
  acceptedTokenAges,
  createDevIdentityIssuer,
  createIdentityVerifier,
  type DevIdentityIssuer,
} from './identity/index.js';
import type { IssuanceDeps } from './issuance/issuance-deps.js';
import {
  createOperatorAuthenticator,
  type OperatorAuthenticatorOptions,
} from './operators/create-operator-authenticator.js';
import {
  createPolicyEngine,
  createPolicySet,
  createStaticPolicyEngine,
  DEV_POLICIES,
  type PolicyEngine,
} from './policy/index.js';
import { createRevocationFeed } from './revocation/feed.js';
import { createTaskFactsCache } from './runtime/task-facts-cache.js';
import { type Clock, systemClock } from './shared/clock.js';
import type { Logger } from './shared/logger.js';
import {
  createHandoffVerifier,
  createWritVerifier,
  generateEphemeralKeyRing,
  type KeyRing,
  loadKeyRing,
} from './signing/index.js';
import { createMemoryStore, createRedisStore, type WritStore } from './store/index.js';

export interface Broker {
  app: AppDeps;
  store: WritStore;
  policy: PolicyEngine;
  /** Ends long-lived responses (the revocation SSE feed) so a drain is not held open by them. */
  stopStreams(): void;
  close(): Promise<void>;
}

/** The composition root: the only place I/O objects are built. */
export async function buildBroker(
  config: BrokerConfig,
  logger: Logger,
  overrides: {
    clock?: Clock;
    store?: WritStore;
    keyRing?: KeyRing;
    policy?: PolicyEngine;
    /** Tests: tune or instrument operator-key authentication (e.g. count argon2 runs). */
    operatorAuth?: Pick<
      OperatorAuthenticatorOptions,
      'verifyHash' | 'maxConcurrentVerifications' | 'cacheTtlMs' | 'failureLimit'
    >;
  } = {},
): Promise<Broker> {
  const clock = overrides.clock ?? systemClock;

  // Local material is checked before any connection: a bad key file or policy fails fast and clearly.
  const keyRing =
    overrides.keyRing ??
    (config.signing.key_file
      ? await loadKeyRing(config.signing.key_file)
      : await generateEphemeralKeyRing(config.signing.algorithm));

  let devIdentity: DevIdentityIssuer | undefined;
  const trust = { spiffe: [...config.trust.spiffe], oidc: [...config.trust.oidc] };
  if (config.dev) {
    devIdentity = await createDevIdentityIssuer({
      audience: config.issuer,
      issuer: `${config.issuer}/dev`,
      clock,
    });
    trust.spiffe.push(devIdentity.spiffeConfig());
  }
  const identity = createIdentityVerifier({
    trust,
    audience: config.issuer,
    brokerIssuer: config.issuer,
    clock,
    logger: logger.child({ component: 'identity' }),
  });

  const policy =
    overrides.policy ??
    (config.policy.dir
      ? await createPolicyEngine({
          dir: config.policy.dir,
          logger: logger.child({ component: 'policy' }),
          watch: config.policy.watch,
        })
      : createStaticPolicyEngine(createPolicySet([{ file: 'dev-policies.cedar', text: DEV_POLICIES }])));

  const store =
    overrides.store ??
    (config.redis
      ? createRedisStore({
          url: config.redis.url,
          clock,
          logger: logger.child({ component: 'store' }),
          commandTimeoutMs: config.redis.command_timeout_ms,
          connectTimeoutMs: config.redis.connect_timeout_ms,
          waitReplicas: config.redis.wait_replicas,
          waitTimeoutMs: config.redis.wait_timeout_ms,
        })
      : createMemoryStore({ clock }));
  await store.init();

  const issuance: IssuanceDeps = {
    settings: {
      issuer: config.issuer,
      audiences: config.audiences,
      allowAnyAudience: config.dev && config.audiences.length === 0,
      defaultTtlSeconds: config.tokens.default_ttl_seconds,
      maxTtlSeconds: config.tokens.max_ttl_seconds,
      maxDelegationDepth: config.tokens.max_delegation_depth,
      rateLimit: {
        limit: config.rate_limits.token.limit,
        windowSeconds: config.rate_limits.token.window_seconds,
      },
    },
    identity,
    writs: createWritVerifier({ keyRing, issuer: config.issuer, clock }),
    handoffs: createHandoffVerifier({ keyRing, issuer: config.issuer, clock }),
    keyRing,
    policy,
    store,
    audit: createAuditLog({ store, clock, logger: logger.child({ component: 'audit' }) }),
    clock,
    logger,
  };
  const operators = createOperatorAuthenticator({
    store,
    clock,
    logger: logger.child({ component: 'operators' }),
    audit: issuance.audit,
    ...(config.dev && config.devAdminKey ? { devAdminKey: config.devAdminKey } : {}),
    ...overrides.operatorAuth,
  });
  const feed = createRevocationFeed({
    store,
    pollIntervalMs: config.revocations.poll_interval_ms,
    logger: logger.child({ component: 'revocation-feed' }),
  });

  return {
    app: {
      issuance,
      runtime: {
        writs: issuance.writs,
        store,
        policy,
        audit: issuance.audit,
        clock,
        taskFacts: createTaskFactsCache(),
      },
      operators,
      revocation: {
        store,
        writs: issuance.writs,
        audit: issuance.audit,
        clock,
        feed,
        maxWritTtlSeconds: config.tokens.max_ttl_seconds,
        issuerTokenAges: acceptedTokenAges(trust),
        heartbeatMs: config.revocations.heartbeat_ms,
      },
      logger,
      maxBodyBytes: config.limits.max_body_bytes,
      clientAddress: createClientAddressResolver(config.trusted_proxies),
      readiness: [
        { name: 'store', check: () => store.checkReady() },
        // The active key really signs (an HSM-backed or corrupted key fails here, not at the first writ).
        { name: 'keys', check: async () => void (await keyRing.sign({ readiness: true }, 'JWT')) },
        // A set is always active (start refuses without one, a bad reload keeps the old); report it is there.
        {
          name: 'policies',
          check: async () => {
            if (!policy.version()) throw new Error('no policy set');
          },
        },
      ],
      ...(devIdentity ? { devIdentity } : {}),
    },
    store,
    policy,
    stopStreams: () => feed.close(),
    async close() {
      feed.close();
      policy.close();
      identity.close();
      await store.close();
    },
  };
}
