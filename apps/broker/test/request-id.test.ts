import { afterEach, describe, expect, it } from 'vitest';
import { createTestBroker, type TestBroker } from './support/test-broker.js';
import { startForm } from './support/tokens.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe.each(['redis', 'memory'] as const)('request ids are the server’s own (%s)', (store) => {
  let t: TestBroker;
  afterEach(async () => t?.close());

  const logLines = () => t.logs.map((line) => JSON.parse(line) as Record<string, unknown>);

  it('ignores a client X-Request-Id as the request id and keeps it apart as client_request_id', async () => {
    t = await createTestBroker({ store });
    const first = await t.app.request('/oauth2/token', {
      ...formInit(startForm('garbage')),
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': 'victim-request-1' },
    });
    expect(first.status).toBe(400);
    const requestId = first.headers.get('x-request-id') ?? '';
    expect(requestId).toMatch(UUID);

    const [event] = (await t.auditEvents()).filter((e) => e.type === 'exchange.denied');
    expect(event).toMatchObject({ request_id: requestId, client_request_id: 'victim-request-1' });
    const access = logLines().find((l) => l.msg === 'request' && l.request_id === requestId);
    expect(access).toMatchObject({ client_request_id: 'victim-request-1' });

    // Two requests sending the same id still get two ids of their own.
    const second = await t.app.request('/healthz', { headers: { 'x-request-id': 'victim-request-1' } });
    expect(second.headers.get('x-request-id')).toMatch(UUID);
    expect(second.headers.get('x-request-id')).not.toBe(requestId);
  });

  it('drops an over-long or non-printable client id; no id, no field', async () => {
    t = await createTestBroker({ store });
    for (const sent of ['x'.repeat(129), 'has space', 'tab\there', undefined]) {
      const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
      if (sent !== undefined) headers['x-request-id'] = sent;
      const res = await t.app.request('/oauth2/token', { ...formInit(startForm('garbage')), headers });
      expect(res.headers.get('x-request-id')).toMatch(UUID);
    }
    const events = (await t.auditEvents()).filter((e) => e.type === 'exchange.denied');
    expect(events).toHaveLength(4);
    expect(events.filter((e) => 'client_request_id' in e)).toEqual([]);
  });
});

function formInit(form: Record<string, string | string[]>): { method: string; body: string } {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(form)) {
    for (const v of Array.isArray(value) ? value : [value]) body.append(name, v);
  }
  return { method: 'POST', body: body.toString() };
}
