import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { slowDown } from '../errors.js';
import { createBrokerServer } from './broker-server.js';
import { createClientAddressResolver } from './client-address.js';

describe('createBrokerServer — early refusal of blocked operator clients', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  async function start(blocked: number | null) {
    let reached = 0;
    const app = new Hono();
    app.get('*', (c) => {
      reached++;
      const err = slowDown(7);
      return c.json({ error: err.error, error_description: err.description }, 429);
    });
    const asked: string[] = [];
    server = createBrokerServer(app.fetch, {
      operators: {
        blockedFor: (client) => {
          asked.push(client);
          return blocked;
        },
      },
      clientAddress: createClientAddressResolver([]),
      limits: loadConfig({}).limits,
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/audit`;
    return { url, asked, reached: () => reached };
  }

  it('answers a blocked client presenting an operator key with the app’s own 429 body, without the app', async () => {
    const s = await start(7);
    const res = await fetch(s.url, { headers: { authorization: 'Bearer writ_abc_def' } });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ error: 'slow_down', error_description: 'too many requests' });
    expect(s.reached()).toBe(0);
    expect(s.asked).toEqual(['127.0.0.1']);
  });

  it('passes everything else to the app', async () => {
    const blocked = await start(7);
    await fetch(blocked.url, { headers: { authorization: 'Bearer eyJhbGciOi.x.y' } });
    await fetch(blocked.url);
    expect(blocked.reached()).toBe(2);
    expect(blocked.asked).toEqual([]);
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    const open = await start(null);
    await fetch(open.url, { headers: { authorization: 'Bearer writ_abc_def' } });
    expect(open.reached()).toBe(1);
  });
});
