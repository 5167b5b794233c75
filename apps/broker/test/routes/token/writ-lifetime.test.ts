import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWrit } from '../../support/fixtures.js';
import { createTestBroker, type TestBroker } from '../../support/test-broker.js';
import { decodePayload, writForm } from '../../support/tokens.js';

// no writ outlives the writ it came from, and none is born dead. The broker
// verifies its own writs with no clock tolerance, so an expired writ is dead at its `exp`.
describe.each(['redis', 'memory'] as const)('POST /oauth2/token — writ lifetimes (%s)', (store) => {
  let t: TestBroker;
  beforeEach(async () => {
    t = await createTestBroker({ store });
  });
  afterEach(async () => t.close());

  async function oneSecondWrit(): Promise<string> {
    const root = await startWrit(t);
    const res = await t.exchange(
      writForm(root, {
        authorization_details: '[{"type":"agent_task","tools":["a.read"],"ttl":1}]',
        scope: '',
      }),
    );
    expect(res.status).toBe(200);
    return ((await res.json()) as { access_token: string }).access_token;
  }

  it('refuses a re-exchange of a writ at or just past its exp, writing nothing but the denial', async () => {
    const short = await oneSecondWrit();
    const exp = decodePayload(short).exp as number;
    for (const at of [exp, exp + 2, exp + 4]) {
      t.clock.set(at * 1000);
      const before = await t.snapshot();
      const res = await t.exchange(writForm(short));
      expect({ at: at - exp, status: res.status, body: await res.json() }).toEqual({
        at: at - exp,
        status: 400,
        body: { error: 'invalid_request', error_description: 'subject_token is not a valid writ (expired)' },
      });
      const after = await t.snapshot();
      expect(Object.keys(after).filter((k) => !(k in before))).toEqual([]);
      expect((await t.auditEvents()).at(-1)).toMatchObject({
        type: 'exchange.denied',
        reasons: ['subject_token:expired'],
      });
    }
  });

  it('never sets exp past the presented writ, even with a proven client asking for longer', async () => {
    const short = await oneSecondWrit();
    const exp = decodePayload(short).exp as number;
    const client = await t.issuer.svid('spiffe://test.example/agents/orchestrator');
    const res = await t.exchange(
      writForm(short, {
        actor_token: client,
        actor_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        audience: 'https://other.test.example',
      }),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { access_token: string; expires_in: number };
    expect(decodePayload(body.access_token).exp).toBe(exp);
    expect(body.expires_in).toBe(1);
  });

  it('refuses the writ at /v1/authorize at its exp (no tolerance there either)', async () => {
    const short = await oneSecondWrit();
    const exp = decodePayload(short).exp as number;
    t.clock.set(exp * 1000);
    const res = await t.app.request('/v1/authorize', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ writ: short, tool: 'a.read' }),
    });
    expect(res.status).toBe(401);
  });
});
