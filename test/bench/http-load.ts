import autocannon from 'autocannon';

/** One kind of request in a load phase; `bodies` are sent round-robin across all connections. */
export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  bodies: readonly string[];
}

export interface LoadResult {
  /** 2xx answers per second over the measured phase. */
  okPerSecond: number;
  p50: number;
  p99: number;
  total: number;
  non2xx: number;
  statuses: Record<string, number>;
  errors: number;
  seconds: number;
}

/**
 * Drives `url` with autocannon in this process (which the suite pins to the load core) for
 * `seconds`: `connections` keep-alive connections, each cycling through `requests` in order.
 */
export async function runLoad(options: {
  url: string;
  requests: readonly LoadRequest[];
  seconds: number;
  connections: number;
}): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    timeout: 10,
    requests: options.requests.map((spec) => {
      let next = 0;
      return {
        method: spec.method,
        path: spec.path,
        headers: spec.headers,
        setupRequest: (req: autocannon.Request) => {
          if (spec.bodies.length === 0) return req;
          const body = spec.bodies[next++ % spec.bodies.length];
          return { ...req, body };
        },
      };
    }),
  });
  const statuses: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = stat.count ?? 0;
  return {
    okPerSecond: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result['2xx'] + result.non2xx,
    non2xx: result.non2xx,
    statuses,
    errors: result.errors,
    seconds: result.duration,
  };
}
