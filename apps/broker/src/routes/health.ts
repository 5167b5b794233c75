import type { Hono } from 'hono';
import type { BrokerEnv } from '../http/env.js';

export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

/** /healthz: the process answers. /readyz: every dependency a writ needs answers (else 503). */
export function registerHealthRoutes(app: Hono<BrokerEnv>, checks: ReadinessCheck[]) {
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', async (c) => {
    const results = await Promise.all(
      checks.map(async ({ name, check }) => {
        try {
          await check();
          return [name, 'ok'] as const;
        } catch {
          return [name, 'unavailable'] as const;
        }
      }),
    );
    const ready = results.every(([, status]) => status === 'ok');
    c.header('Cache-Control', 'no-store');
    return c.json(
      { status: ready ? 'ready' : 'unavailable', checks: Object.fromEntries(results) },
      ready ? 200 : 503,
    );
  });
}
