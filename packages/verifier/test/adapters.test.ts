import type { AddressInfo } from 'node:net';
import express from 'express';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AGENT,
  createTestBroker,
  createTestOperatorKey,
  startWrit,
  type TestBroker,
  taskIdOf,
} from '../../../apps/broker/test/support/vitest-kit.js';
import { writ as expressWrit } from '../src/express.js';
import { createWritGuard, toResponse } from '../src/fetch.js';
import { writ as honoWrit, type WritVariables } from '../src/hono.js';
import type { Verifier } from '../src/index.js';
import { inProcessVerifier, reached, revoke, until } from './support.js';

const PLAN = { tools: ['jira.read'], budget: { total: 1 } };

describe('adapters: hono, express, fetch', () => {
  let t: TestBroker;
  let verifier: Verifier;
  let writ: string;
  let revoker: string;
  let expressUrl: string;
  let closeExpress: () => Promise<void>;
  const hono = new Hono<{ Variables: WritVariables }>();

  beforeAll(async () => {
    t = await createTestBroker({ store: 'memory' });
    verifier = await inProcessVerifier(t);
    revoker = (await createTestOperatorKey(t, ['revoke'])).key;
    writ = await startWrit(t, { plan: PLAN, sub: AGENT });
    hono.get('/any', honoWrit(verifier), (c) => c.json({ task: c.get('writ').task.id }));
    hono.get('/read', honoWrit(verifier, { tool: 'jira.read' }), (c) => c.json({ ok: true }));
    hono.get('/write', honoWrit(verifier, { tool: 'jira.write' }), (c) => c.json({ ok: true }));
    hono.get('/online', honoWrit(verifier, { tool: 'jira.read', online: true }), (c) => c.json({ ok: true }));
    const app = express();
    app.get('/read', expressWrit(verifier, { tool: 'jira.read' }), (req, res) => {
      res.json({ task: req.writ?.task.id });
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    expressUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    closeExpress = () => new Promise((resolve) => server.close(() => resolve()));
  });
  afterAll(async () => {
    verifier.close();
    await closeExpress();
    await t.close();
  });

  const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

  it('hono: puts the verified writ on the context', async () => {
    const res = await hono.request('/any', bearer(writ));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ task: taskIdOf(writ) });
  });

  it('hono: RFC 6750 challenges for no writ, a bad writ, a bad header and a tool outside the plan', async () => {
    const none = await hono.request('/any');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    const bad = await hono.request('/any', bearer(`${writ.slice(0, -2)}xx`));
    expect(bad.status).toBe(401);
    expect(bad.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token", error_description="/);
    expect(await bad.json()).toMatchObject({ error: 'invalid_token' });
    const header = await hono.request('/any', { headers: { authorization: `Basic ${writ}` } });
    expect(header.status).toBe(400);
    expect(header.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_request"/);
    const outside = await hono.request('/write', bearer(writ));
    expect(outside.status).toBe(403);
    expect(outside.headers.get('www-authenticate')).toMatch(
      /error="insufficient_scope".*scope="tool:jira.write"/,
    );
    expect((await hono.request('/read', bearer(writ))).status).toBe(200);
  });

  it('hono online: the broker takes the budget and denies past it', async () => {
    const own = await startWrit(t, { plan: PLAN, sub: AGENT });
    expect((await hono.request('/online', bearer(own))).status).toBe(200);
    const spent = await hono.request('/online', bearer(own));
    expect(spent.status).toBe(403);
    expect(await spent.json()).toMatchObject({ error: 'insufficient_scope' });
  });

  it('express: sets req.writ, and answers 401 / 403 itself', async () => {
    const ok = await fetch(`${expressUrl}/read`, bearer(writ));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ task: taskIdOf(writ) });
    const none = await fetch(`${expressUrl}/read`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    const other = await startWrit(t, { plan: { tools: ['jira.write'] }, sub: AGENT });
    const outside = await fetch(`${expressUrl}/read`, bearer(other));
    expect(outside.status).toBe(403);
  });

  it('fetch: a (Request) => decision guard, and 503 (never an allow) when the view is stale', async () => {
    const guard = createWritGuard(verifier, { tool: 'jira.read' });
    const allowed = await guard(new Request('http://api/read', bearer(writ)));
    expect(allowed.ok && allowed.writ.task.id).toBe(taskIdOf(writ));
    const stale = await inProcessVerifier(t, { maxStalenessMs: 1_000 });
    t.clock.advance(2_000);
    const refused = await createWritGuard(stale)(new Request('http://api/read', bearer(writ)));
    if (refused.ok) throw new Error('a stale view allowed a writ');
    const res = toResponse(refused);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toMatchObject({ error: 'temporarily_unavailable' });
    stale.close();
  });

  it('every adapter refuses a writ once its task is revoked', async () => {
    const own = await startWrit(t, { plan: PLAN, sub: AGENT });
    expect((await hono.request('/read', bearer(own))).status).toBe(200);
    const id = await revoke(t, revoker, { task: taskIdOf(own) });
    await until(() => reached(verifier, id));
    expect((await hono.request('/read', bearer(own))).status).toBe(401);
    expect((await fetch(`${expressUrl}/read`, bearer(own))).status).toBe(401);
    expect((await createWritGuard(verifier)(new Request('http://api/', bearer(own)))).ok).toBe(false);
  });
});
