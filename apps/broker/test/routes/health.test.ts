import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestBroker, type TestBroker } from '../support/test-broker.js';
import { startForm } from '../support/tokens.js';

describe('health, metadata and rate limits', () => {
  let t: TestBroker;
  beforeEach(async () => {
    t = await createTestBroker({
      store: 'memory',
      config: (c) => ({ ...c, rate_limits: { token: { limit: 2, window_seconds: 60 } } }),
    });
  });
  afterEach(async () => t.close());

  it('/healthz and /readyz answer 200 when everything is up, with a request id', async () => {
    const health = await t.app.request('/healthz');
    expect(health.status).toBe(200);
    expect(health.headers.get('x-request-id')).toBeTruthy();
    const ready = await t.app.request('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: 'ready',
      checks: { store: 'ok', keys: 'ok', policies: 'ok' },
    });
  });

  it('/readyz answers 503 naming the store once the store is gone', async () => {
    await t.store.close();
    const ready = await t.app.request('/readyz');
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: Record<string, string> }).checks.store).toBe('unavailable');
  });

  it('publishes JWKS without private members, and RFC 8414 metadata', async () => {
    const jwks = (await (await t.app.request('/.well-known/jwks.json')).json()) as {
      keys: Record<string, unknown>[];
    };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(Object.keys(jwks.keys[0] ?? {})).not.toContain('d');
    const meta = (await (await t.app.request('/.well-known/oauth-authorization-server')).json()) as Record<
      string,
      unknown
    >;
    expect(meta.token_endpoint).toBe('https://writ.test.example/oauth2/token');
    expect(meta.grant_types_supported).toEqual([
      'urn:ietf:params:oauth:grant-type:token-exchange',
      'client_credentials',
    ]);
    expect(meta.access_token_signing_alg_values_supported).toEqual(['ES256']);
  });

  it('rate limits the token endpoint per principal with 429 slow_down and Retry-After', async () => {
    const agent = 'spiffe://test.example/agents/chatty';
    expect((await t.exchange(startForm(await t.issuer.svid(agent)))).status).toBe(200);
    expect((await t.exchange(startForm(await t.issuer.svid(agent)))).status).toBe(200);
    const limited = await t.exchange(startForm(await t.issuer.svid(agent)));
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as { error: string }).error).toBe('slow_down');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another principal has its own budget.
    expect(
      (await t.exchange(startForm(await t.issuer.svid('spiffe://test.example/agents/quiet')))).status,
    ).toBe(200);
  });

  it('answers unknown paths with a JSON 404', async () => {
    const res = await t.app.request('/nope');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'invalid_request', error_description: 'not found' });
  });
});
