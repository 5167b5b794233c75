import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OAuthError } from '../errors.js';
import type { BrokerEnv } from './env.js';
import { oauthErrorResponse, toOAuthError } from './error-response.js';
import { limitBody } from './limit-body.js';

const MAX = 1024;

function appWithLimit() {
  const app = new Hono<BrokerEnv>();
  let bodiesRead = 0;
  app.use(limitBody(MAX));
  app.post('/echo', async (c) => {
    const text = await c.req.text();
    bodiesRead++;
    return c.json({ length: text.length });
  });
  app.get('/get', (c) => c.json({ ok: true }));
  app.onError((err, c) => oauthErrorResponse(c, err instanceof OAuthError ? err : toOAuthError(err)));
  return { app, reads: () => bodiesRead };
}

function send(url: string, body: string, headers: Record<string, string>) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers }, (res) => {
      let text = '';
      res.on('data', (chunk) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    // Written in pieces: without a Content-Length, Node sends the body chunked.
    for (let i = 0; i < body.length; i += 256) req.write(body.slice(i, i + 256));
    req.end();
  });
}

describe('limitBody', () => {
  it('refuses a declared length over the limit before the route reads anything', async () => {
    const { app, reads } = appWithLimit();
    const res = await app.request('/echo', {
      method: 'POST',
      headers: { 'content-length': String(MAX + 1) },
      body: 'a'.repeat(MAX + 1),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      error: 'invalid_request',
      error_description: 'request body too large',
    });
    expect(reads()).toBe(0);
  });

  it('refuses a Content-Length that is not a plain decimal', async () => {
    const { app, reads } = appWithLimit();
    const res = await app.request('/echo', {
      method: 'POST',
      headers: { 'content-length': '1e3' },
      body: 'a',
    });
    expect(res.status).toBe(413);
    expect(reads()).toBe(0);
  });

  it('counts a body of unknown length while it streams', async () => {
    const { app, reads } = appWithLimit();
    const res = await app.request('/echo', { method: 'POST', body: 'a'.repeat(MAX + 1) });
    expect(res.status).toBe(413);
    expect(reads()).toBe(0);
    const ok = await app.request('/echo', { method: 'POST', body: 'a'.repeat(MAX) });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ length: MAX });
  });

  describe('over a real socket', () => {
    const { app, reads } = appWithLimit();
    const server = createServer(getRequestListener(app.fetch));
    let url = '';
    beforeAll(async () => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('refuses a chunked body over the limit and accepts one within it', async () => {
      const big = await send(`${url}/echo`, 'a'.repeat(MAX * 4), {});
      expect(big.status).toBe(413);
      const small = await send(`${url}/echo`, 'a'.repeat(MAX), {});
      expect(small).toEqual({ status: 200, body: JSON.stringify({ length: MAX }) });
      expect(reads()).toBe(1);
    });

    it('reads a declared body within the limit on the fast path', async () => {
      const res = await send(`${url}/echo`, 'a'.repeat(MAX), { 'content-length': String(MAX) });
      expect(res).toEqual({ status: 200, body: JSON.stringify({ length: MAX }) });
    });
  });
});
