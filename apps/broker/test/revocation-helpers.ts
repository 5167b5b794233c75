import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { expect } from 'vitest';
import type { createApp } from '../src/app.js';
import { delegateWrit, startWrit, worker } from './support/fixtures.js';
import { formRequest, type TestBroker } from './support/test-broker.js';
import { writForm } from './support/tokens.js';

/** A root writ and a delegation chain under it: [root, depth 1, depth 2, depth 3]. */
export async function writChain(t: TestBroker): Promise<string[]> {
  const chain = [await startWrit(t, { tools: ['a.read', 'b.read', 'c.read', 'd.read'] })];
  const plans = [['a.read', 'b.read', 'c.read'], ['a.read', 'b.read'], ['a.read']];
  for (const [i, tools] of plans.entries()) {
    chain.push(await delegateWrit(t, chain.at(-1) as string, worker(i + 1), { tools }));
  }
  return chain;
}

/** Status of re-exchanging `writ` for another writ of its task at /oauth2/token. */
export async function reExchangeStatus(t: TestBroker, writ: string): Promise<number> {
  return (await t.exchange(writForm(writ))).status;
}

export function postRevocation(
  app: TestBroker['app'],
  key: string | undefined,
  body: unknown,
): Promise<Response> {
  return Promise.resolve(
    app.request('/v1/revocations', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(key === undefined ? {} : { authorization: `Bearer ${key}` }),
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}

/** `active` of RFC 7662 introspection: the broker's own allow-list answer for a writ. */
export async function isActive(t: TestBroker, introspectKey: string, writ: string): Promise<boolean> {
  const init = formRequest({ token: writ });
  const res = await t.app.request('/oauth2/introspect', {
    ...init,
    headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${introspectKey}` },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { active: boolean }).active;
}

export async function errorOf(
  res: Response,
): Promise<{ status: number; error: string; description: string }> {
  const body = (await res.json()) as { error: string; error_description: string };
  return { status: res.status, error: body.error, description: body.error_description };
}

/** Serves `app` on a free loopback port, for tests that need a real connection (SSE). */
export async function listen(
  app: ReturnType<typeof createApp>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
