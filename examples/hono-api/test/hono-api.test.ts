import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type RedisServer, startRedis } from '@writ/test/harness';
import { createVerifier, type Verifier } from '@writ/verifier';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServedBroker, serveBroker } from '../../../apps/broker/test/support/testing.js';
import { SERVED_AUDIENCE, SERVED_ISSUER } from '../../../apps/broker/test/support/vitest-kit.js';
import { createTicketApi } from '../src/app.js';

// The example end to end over real ports: the real broker on its own redis-server, the ticket
// API guarded by @writ/verifier following the broker's feed, an agent with a writ.

describe('examples/hono-api against a real broker and Redis', () => {
  let redis: RedisServer;
  let broker: ServedBroker;
  let verifier: Verifier;
  let api: string;
  let revokeKey: string;
  let closeApi: () => void;

  beforeAll(async () => {
    redis = await startRedis({ args: ['--maxmemory-policy', 'noeviction'] });
    broker = await serveBroker({
      redisUrl: redis.url,
      config: (c) => ({ ...c, revocations: { ...c.revocations, heartbeat_ms: 200, poll_interval_ms: 50 } }),
    });
    revokeKey = await broker.operatorKey(['revoke']);
    verifier = createVerifier({
      issuer: SERVED_ISSUER,
      audience: SERVED_AUDIENCE,
      brokerUrl: broker.url,
      revocations: { mode: 'feed', operatorKey: await broker.operatorKey(['feed']) },
      maxStalenessMs: 2_000,
    });
    await verifier.ready();
    const server = serve({ fetch: createTicketApi(verifier).fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    closeApi = () => server.close();
  });
  afterAll(async () => {
    verifier?.close();
    closeApi?.();
    await broker?.close();
    await redis?.stop();
  });

  async function writFor(tools: string[], budget?: number): Promise<{ writ: string; task: string }> {
    const svid = await broker.issuer.svid('spiffe://dev.local/agents/ticket-bot');
    const detail = { type: 'agent_task', tools, ...(budget ? { budget: { total: budget } } : {}) };
    const res = await fetch(`${broker.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        subject_token: svid,
        audience: SERVED_AUDIENCE,
        authorization_details: JSON.stringify([detail]),
      }).toString(),
    });
    const body = (await res.json()) as { access_token: string };
    expect(res.status, JSON.stringify(body)).toBe(200);
    const payload = JSON.parse(Buffer.from(body.access_token.split('.')[1] ?? '', 'base64url').toString());
    return { writ: body.access_token, task: payload.task.id };
  }

  const as = (writ: string, init: RequestInit = {}) => ({
    ...init,
    headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${writ}` },
  });
  const comment = (writ: string) =>
    fetch(
      `${api}/tickets/T-1/comments`,
      as(writ, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"text":"on it"}' }),
    );

  it('serves a writ that names the tool, refuses one that does not, and none at all', async () => {
    const { writ, task } = await writFor(['tickets.read']);
    const read = await fetch(`${api}/tickets/T-1`, as(writ));
    expect(read.status).toBe(200);
    expect(await read.json()).toMatchObject({ id: 'T-1', read_for_task: task });
    const refused = await comment(writ);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/);
    const none = await fetch(`${api}/tickets/T-1`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('comments through the broker: the budget is taken there, and refused once spent', async () => {
    const { writ } = await writFor(['tickets.read', 'tickets.comment'], 1);
    expect((await comment(writ)).status).toBe(201);
    const spent = await comment(writ);
    expect(spent.status).toBe(403);
    expect(await spent.json()).toMatchObject({ error: 'insufficient_scope' });
  });

  it('refuses a writ once its task is revoked at the broker', async () => {
    const { writ, task } = await writFor(['tickets.read']);
    expect((await fetch(`${api}/tickets/T-1`, as(writ))).status).toBe(200);
    const res = await fetch(`${broker.url}/v1/revocations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${revokeKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ task }),
    });
    expect(res.status).toBe(200);
    const deadline = Date.now() + 2_000;
    let status = 200;
    while (status === 200 && Date.now() < deadline) {
      status = (await fetch(`${api}/tickets/T-1`, as(writ))).status;
    }
    expect(status).toBe(401);
  });
});
