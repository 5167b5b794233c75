import { authorizeBody, exchange, introspectBody, startTaskBody } from './broker-fixture.js';
import type { BuiltBroker } from './built-broker.js';
import { type LoadRequest, runLoad } from './http-load.js';

export interface SoakResult {
  seconds: number;
  okPerSecond: number;
  p99: number;
  total: number;
  non2xx: number;
  statuses: Record<string, number>;
  errors: number;
  rssStart: number;
  /** RSS `baselineAfterSeconds` into the soak: the reference for growth. */
  rssBaseline: number;
  rssEnd: number;
  rssMax: number;
  /** Null when the broker was still running at the end. */
  exited: number | string | null;
}

/** The mixed workload: each connection cycles exchange → authorize → introspect. */
export async function mixedRequests(options: {
  url: string;
  svids: readonly string[];
  introspectKey: string;
}): Promise<LoadRequest[]> {
  const { writ } = await exchange(options.url, startTaskBody(options.svids[0] as string, ['search_kb']));
  return [
    {
      method: 'POST',
      path: '/oauth2/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      bodies: options.svids.map((s) => startTaskBody(s, ['search_kb'])),
    },
    {
      method: 'POST',
      path: '/v1/authorize',
      headers: { 'content-type': 'application/json' },
      bodies: [authorizeBody(writ, 'search_kb')],
    },
    {
      method: 'POST',
      path: '/oauth2/introspect',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Bearer ${options.introspectKey}`,
      },
      bodies: [introspectBody(writ)],
    },
  ];
}

/**
 * Mixed exchange / authorize / introspect for `seconds` at `connections`, sampling the broker's
 * RSS every second. The writ used by authorize and introspect lives 300 s: keep `seconds` below.
 */
export async function runSoak(options: {
  broker: BuiltBroker;
  svids: readonly string[];
  introspectKey: string;
  seconds: number;
  connections: number;
  baselineAfterSeconds: number;
}): Promise<SoakResult> {
  const { broker } = options;
  const requests = await mixedRequests({
    url: broker.url,
    svids: options.svids,
    introspectKey: options.introspectKey,
  });
  const samples: Array<{ at: number; rss: number }> = [];
  const started = performance.now();
  const sample = async () =>
    samples.push({ at: (performance.now() - started) / 1000, rss: await broker.rss() });
  await sample();
  const timer = setInterval(() => void sample(), 1000);
  const load = await runLoad({
    url: broker.url,
    requests,
    seconds: options.seconds,
    connections: options.connections,
  }).finally(() => clearInterval(timer));
  await sample();
  const alive = samples.filter((s) => s.rss > 0);
  const baseline = alive.find((s) => s.at >= options.baselineAfterSeconds) ?? alive[alive.length - 1];
  return {
    seconds: load.seconds,
    okPerSecond: load.okPerSecond,
    p99: load.p99,
    total: load.total,
    non2xx: load.non2xx,
    statuses: load.statuses,
    errors: load.errors,
    rssStart: alive[0]?.rss ?? 0,
    rssBaseline: baseline?.rss ?? 0,
    rssEnd: alive[alive.length - 1]?.rss ?? 0,
    rssMax: Math.max(0, ...alive.map((s) => s.rss)),
    exited: broker.exitStatus(),
  };
}
