import {
  type DevBrokerEnv,
  type RedisBrokerEnv,
  startDevBrokerEnv,
  startRedisBrokerEnv,
} from './bench-env.js';
import {
  authorizeBody,
  createOperatorKey,
  exchange,
  introspectBody,
  mintDevSvids,
  SUPPORT_TOOLS,
  startTaskBody,
} from './broker-fixture.js';
import { type CryptoCeiling, startCryptoCeiling } from './crypto-ceiling.js';
import { type OidcTarget, startOidcTarget } from './oidc-provider-bench.js';
import { LOAD_CORE, pinProcess } from './pinning.js';
import { type MemoryResult, measureRedisMemory } from './redis-memory.js';
import type { Row } from './report.js';
import { type FanoutResult, measureRevocationFanout } from './revocation-fanout.js';
import { runSoak, type SoakResult } from './soak.js';
import { median } from './stats.js';
import { CONNECTIONS, type Phase, type PhaseSummary, runRounds } from './throughput.js';
import {
  measureRevocationPropagation,
  measureVerifierSpeed,
  PROPAGATION_VERIFIERS,
  type PropagationResult,
  type VerifierSpeed,
} from './verifier-bench.js';

/** Scenario names `pnpm bench <name>` accepts, and what each needs measured beside it for its limits. */
export const SCENARIOS = {
  'crypto-ceiling': [],
  exchange: ['crypto-ceiling', 'oidc-provider'],
  'exchange-dev': ['exchange', 'crypto-ceiling', 'oidc-provider'],
  'oidc-provider': [],
  authorize: [],
  introspect: [],
  revocation: [],
  verifier: [],
  'redis-memory': [],
  soak: [],
} as const satisfies Record<string, readonly string[]>;
export type ScenarioName = keyof typeof SCENARIOS;

export const SOAK_SECONDS = Number(process.env.WRIT_BENCH_SOAK_SECONDS ?? 120);
const SOAK_BASELINE_SECONDS = 20;
const CEILING_SECONDS = 3;

export interface SuiteOutput {
  rows: Row[];
  /** Per scenario: the raw figures for bench-results/<name>.json. */
  data: Partial<Record<ScenarioName, unknown>>;
}

export function expandSelection(wanted: readonly ScenarioName[]): Set<ScenarioName> {
  const out = new Set<ScenarioName>();
  const add = (name: ScenarioName) => {
    if (out.has(name)) return;
    out.add(name);
    for (const dep of SCENARIOS[name]) add(dep as ScenarioName);
  };
  for (const name of wanted) add(name);
  return out;
}

/** Runs the selected scenarios against one set of processes and returns the table rows. */
export async function runSuite(selected: Set<ScenarioName>): Promise<SuiteOutput> {
  pinProcess(process.pid, LOAD_CORE);
  const has = (name: ScenarioName) => selected.has(name);
  const closers: Array<() => Promise<void>> = [];
  const data: SuiteOutput['data'] = {};
  let envRef: RedisBrokerEnv | undefined;
  try {
    const needsRedis = [...selected].some((n) => n !== 'crypto-ceiling' && n !== 'oidc-provider');
    const env: RedisBrokerEnv | undefined = needsRedis ? await startRedisBrokerEnv() : undefined;
    if (env) closers.push(() => env.close());
    envRef = env;
    const dev: DevBrokerEnv | undefined = has('exchange-dev') ? await startDevBrokerEnv() : undefined;
    if (dev) closers.push(() => dev.close());
    const ceiling: CryptoCeiling | undefined = has('crypto-ceiling') ? await startCryptoCeiling() : undefined;
    if (ceiling) closers.push(() => ceiling.child.stop());
    const oidc: OidcTarget | undefined = has('oidc-provider') ? await startOidcTarget() : undefined;
    if (oidc) closers.push(() => oidc.child.stop());

    let memory: MemoryResult | undefined;
    if (env && has('redis-memory')) {
      process.stderr.write('redis-memory: starting 2000 tasks\n');
      memory = await measureRedisMemory({ url: env.broker.url, redisUrl: env.redis.url, svids: env.svids });
      data['redis-memory'] = memory;
    }

    const phases = buildPhases(selected, env, dev, oidc);
    const ceilings: Array<{ opsPerSecond: number; usPerOp: number }> = [];
    const summaries = await runRounds(phases, async () => {
      if (ceiling) ceilings.push(await ceiling.measure(CEILING_SECONDS));
    });
    if (phases.length === 0 && ceiling)
      for (let i = 0; i < 3; i++) ceilings.push(await ceiling.measure(CEILING_SECONDS));

    let fanout: FanoutResult | undefined;
    if (env && has('revocation')) {
      process.stderr.write('revocation: 10 followers, 200 revocations\n');
      fanout = await measureRevocationFanout({
        url: env.broker.url,
        svids: env.svids,
        readKey: env.keys.read,
        revokeKey: env.keys.revoke,
      });
      data.revocation = fanout;
    }

    let speed: VerifierSpeed | undefined;
    let propagation: PropagationResult | undefined;
    if (env && has('verifier')) {
      process.stderr.write('verifier: cold / warm verify, then 10 verifiers × 200 revocations\n');
      speed = await measureVerifierSpeed();
      propagation = await measureRevocationPropagation({
        url: env.broker.url,
        svids: env.svids,
        feedKey: await createOperatorKey(env.broker.url, env.keys.admin, 'bench-feed', ['feed']),
        revokeKey: env.keys.revoke,
      });
      data.verifier = { speed, propagation };
    }

    let soak: SoakResult | undefined;
    if (env && has('soak')) {
      process.stderr.write(`soak: ${SOAK_SECONDS} s mixed load\n`);
      soak = await runSoak({
        broker: env.broker,
        svids: env.svids,
        introspectKey: env.keys.introspect,
        seconds: SOAK_SECONDS,
        connections: CONNECTIONS,
        baselineAfterSeconds: SOAK_BASELINE_SECONDS,
      });
      data.soak = soak;
    }
    const brokerExit = env?.broker.exitStatus() ?? null;
    if (brokerExit !== null)
      throw new Error(`the broker exited (${brokerExit}) during the bench:\n${env?.broker.stderr()}`);

    const ceilingOps = ceilings.length ? median(ceilings.map((c) => c.opsPerSecond)) : undefined;
    if (ceilingOps !== undefined) data['crypto-ceiling'] = { rounds: ceilings, opsPerSecond: ceilingOps };
    for (const [name, s] of summaries) {
      const key = name.startsWith('exchange (dev')
        ? 'exchange-dev'
        : name.startsWith('exchange')
          ? 'exchange'
          : name;
      const prev = (data[key as ScenarioName] as Record<string, unknown> | undefined) ?? {};
      data[key as ScenarioName] = { ...prev, [name]: s };
    }
    return {
      rows: [
        ...buildRows({ ceilings, summaries, memory, fanout, soak }),
        ...verifierRows(speed, propagation),
      ],
      data,
    };
  } catch (err) {
    const exit = envRef?.broker.exitStatus();
    if (exit !== undefined && exit !== null) {
      throw new Error(`the broker exited (${exit}):\n${envRef?.broker.stderr().slice(-4000)}`, {
        cause: err,
      });
    }
    throw err;
  } finally {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  }
}

const PHASE = {
  exchange1: 'exchange (redis), 1 tool',
  exchange4: 'exchange (redis), 4 tools',
  dev: 'exchange (dev, memory store)',
  oidc: 'oidc-provider client_credentials + private_key_jwt',
  authorize: 'authorize allow',
  introspect: 'introspection',
} as const;

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

function buildPhases(
  selected: Set<ScenarioName>,
  env: RedisBrokerEnv | undefined,
  dev: DevBrokerEnv | undefined,
  oidc: OidcTarget | undefined,
): Phase[] {
  const phases: Phase[] = [];
  if (env && selected.has('exchange')) {
    for (const [name, tools] of [
      [PHASE.exchange1, SUPPORT_TOOLS.slice(0, 1)],
      [PHASE.exchange4, SUPPORT_TOOLS],
    ] as const) {
      phases.push({
        name,
        url: () => env.broker.url,
        prepare: async () => [
          {
            method: 'POST',
            path: '/oauth2/token',
            headers: FORM,
            bodies: env.svids.map((s) => startTaskBody(s, tools)),
          },
        ],
      });
    }
  }
  if (dev && selected.has('exchange-dev')) {
    phases.push({
      name: PHASE.dev,
      url: () => dev.broker.url,
      prepare: async () => {
        const svids = await mintDevSvids(dev.broker.url, 100);
        return [
          {
            method: 'POST',
            path: '/oauth2/token',
            headers: FORM,
            bodies: svids.map((s) => startTaskBody(s, ['search_kb'])),
          },
        ];
      },
    });
  }
  if (oidc) {
    phases.push({
      name: PHASE.oidc,
      url: () => oidc.url,
      // Every request carries a fresh client assertion (distinct jti): replays would be refused.
      prepare: async ({ seconds, expectedPerSecond }) => [
        {
          method: 'POST',
          path: oidc.tokenPath,
          headers: FORM,
          bodies: await oidc.bodies(Math.ceil(expectedPerSecond * seconds * 1.5) + 1000),
        },
      ],
    });
  }
  if (env && selected.has('authorize')) {
    phases.push({
      name: PHASE.authorize,
      url: () => env.broker.url,
      prepare: async () => {
        const { writ } = await exchange(env.broker.url, startTaskBody(env.svids[0] as string, ['search_kb']));
        return [
          {
            method: 'POST',
            path: '/v1/authorize',
            headers: { 'content-type': 'application/json' },
            bodies: [authorizeBody(writ, 'search_kb')],
          },
        ];
      },
    });
  }
  if (env && selected.has('introspect')) {
    phases.push({
      name: PHASE.introspect,
      url: () => env.broker.url,
      prepare: async () => {
        const { writ } = await exchange(env.broker.url, startTaskBody(env.svids[1] as string, ['search_kb']));
        return [
          {
            method: 'POST',
            path: '/oauth2/introspect',
            headers: { ...FORM, authorization: `Bearer ${env.keys.introspect}` },
            bodies: [introspectBody(writ)],
          },
        ];
      },
    });
  }
  return phases;
}

const P99_LIMIT_MS = 25;
const RUNTIME_LIMIT_PER_S = 5000;

function buildRows(r: {
  ceilings: Array<{ opsPerSecond: number; usPerOp: number }>;
  summaries: Map<string, PhaseSummary>;
  memory: MemoryResult | undefined;
  fanout: FanoutResult | undefined;
  soak: SoakResult | undefined;
}): Row[] {
  const rows: Row[] = [];
  const ceiling = r.ceilings.length ? median(r.ceilings.map((c) => c.opsPerSecond)) : undefined;
  if (ceiling !== undefined) {
    rows.push({
      row: 'crypto ceiling (ES256 verify + sign, core 0)',
      figure: ceiling,
      unit: 'ops/s',
      detail: `${median(r.ceilings.map((c) => c.usPerOp)).toFixed(1)} µs/op`,
    });
  }
  const oidc = r.summaries.get(PHASE.oidc);
  const detail = (s: PhaseSummary) =>
    `p50 ${s.p50} ms, p99 ${s.p99} ms${s.non2xx ? `, non-2xx/errors ${s.non2xx} ${JSON.stringify(s.statuses)}` : ''}`;
  if (oidc) rows.push({ row: PHASE.oidc, figure: oidc.okPerSecond, unit: 'req/s', detail: detail(oidc) });
  const redisExchange = r.summaries.get(PHASE.exchange1);
  for (const name of [PHASE.exchange1, PHASE.exchange4]) {
    const s = r.summaries.get(name);
    if (!s) continue;
    if (ceiling !== undefined) {
      rows.push({
        row: name,
        figure: s.okPerSecond,
        unit: 'req/s',
        kind: 'min',
        limit: 0.6 * ceiling,
        limitText: '0.6 × ceiling',
        detail: detail(s),
      });
    }
    if (oidc) {
      rows.push({
        row: `${name} vs oidc-provider`,
        figure: s.okPerSecond,
        unit: 'req/s',
        kind: 'min',
        limit: 1.5 * oidc.okPerSecond,
        limitText: '1.5 × oidc-provider',
      });
    }
    rows.push({ row: `${name} p99`, figure: s.p99, unit: 'ms', kind: 'max', limit: P99_LIMIT_MS });
  }
  const dev = r.summaries.get(PHASE.dev);
  if (dev) {
    rows.push(
      redisExchange
        ? {
            row: PHASE.dev,
            figure: dev.okPerSecond,
            unit: 'req/s',
            kind: 'min',
            limit: redisExchange.okPerSecond,
            limitText: 'redis exchange',
            detail: detail(dev),
          }
        : { row: PHASE.dev, figure: dev.okPerSecond, unit: 'req/s', detail: detail(dev) },
    );
  }
  for (const name of [PHASE.authorize, PHASE.introspect]) {
    const s = r.summaries.get(name);
    if (!s) continue;
    rows.push({
      row: name,
      figure: s.okPerSecond,
      unit: 'req/s',
      kind: 'min',
      limit: RUNTIME_LIMIT_PER_S,
      detail: detail(s),
    });
    rows.push({ row: `${name} p99`, figure: s.p99, unit: 'ms', kind: 'max', limit: P99_LIMIT_MS });
  }
  if (r.fanout) {
    const f = r.fanout;
    rows.push({
      row: 'revocation → 10 SSE followers p99',
      figure: f.p99,
      unit: 'ms',
      kind: 'max',
      limit: 50,
      detail: `p50 ${f.p50.toFixed(1)} ms, max ${f.max.toFixed(1)} ms, received ${f.received}/${f.expected}, failed revokes ${f.revokeFailures}`,
    });
    rows.push({
      row: 'revocation entries missed by followers',
      figure: f.expected - f.received,
      unit: '',
      kind: 'max',
      limit: 0,
    });
  }
  if (r.memory) {
    const m = r.memory;
    rows.push({
      row: 'redis bytes per live task (keys, no audit)',
      figure: m.keysPerTask,
      unit: 'B',
      kind: 'max',
      limit: 1536,
      detail: `audit stream ${Math.round(m.auditPerTask)} B/task; used_memory delta ${Math.round(m.usedMemoryPerTask)} B/task (N=${m.tasks})`,
    });
  }
  if (r.soak) {
    const s = r.soak;
    const mb = (b: number) => `${(b / 1048576).toFixed(1)} MB`;
    rows.push({
      row: `soak ${Math.round(s.seconds)} s: RSS at end`,
      figure: s.rssEnd / 1048576,
      unit: 'MB',
      kind: 'max',
      limit: (1.5 * s.rssBaseline) / 1048576,
      limitText: `1.5 × RSS after ${SOAK_BASELINE_SECONDS} s`,
      detail: `start ${mb(s.rssStart)}, at ${SOAK_BASELINE_SECONDS} s ${mb(s.rssBaseline)}, max ${mb(s.rssMax)}; ${Math.round(s.okPerSecond)} req/s, p99 ${s.p99} ms`,
    });
    rows.push({
      row: 'soak non-2xx + errors',
      figure: s.non2xx + s.errors,
      unit: '',
      kind: 'max',
      limit: 0,
      detail: `${s.total} requests ${JSON.stringify(s.statuses)}`,
    });
    rows.push({
      row: 'soak broker exited',
      figure: s.exited === null ? 0 : 1,
      unit: '',
      kind: 'max',
      limit: 0,
    });
  }
  return rows;
}

function verifierRows(speed: VerifierSpeed | undefined, propagation: PropagationResult | undefined): Row[] {
  const rows: Row[] = [];
  if (speed) {
    rows.push({
      row: 'verifier: verify cold (new writ each call)',
      figure: speed.coldPerSecond,
      unit: 'ops/s',
      kind: 'min',
      limit: 0.85 * speed.josePerSecond,
      limitText: '0.85 × jose.jwtVerify',
      detail: `raw jose.jwtVerify (local JWKS) ${Math.round(speed.josePerSecond)} ops/s`,
    });
    rows.push({
      row: 'verifier: verify warm (same writ, one core)',
      figure: speed.warmPerSecond,
      unit: 'ops/s',
      kind: 'min',
      limit: 200_000,
    });
  }
  if (propagation) {
    const p = propagation;
    rows.push({
      row: `revocation → last of ${PROPAGATION_VERIFIERS} verifiers refusing p99`,
      figure: p.p99,
      unit: 'ms',
      kind: 'max',
      limit: 50,
      detail: `p50 ${p.p50.toFixed(1)} ms, max ${p.max.toFixed(1)} ms, refused ${p.refused}/${p.expected}`,
    });
    rows.push({
      row: 'revocations never refused by all verifiers',
      figure: p.expected - p.refused,
      unit: '',
      kind: 'max',
      limit: 0,
    });
  }
  return rows;
}
