import { freePort, type RedisServer, startRedis, waitFor } from '@writ/test/harness';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBrokerFiles } from './support/broker-files.js';
import { type BrokerProcess, spawnBroker, waitForHealthy } from './support/broker-process.js';
import { type LoopbackOidcIssuer, startOidcIssuer } from './support/oidc-issuer.js';

const API = 'https://api.e2e.example';
const GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
const JWT = 'urn:ietf:params:oauth:token-type:jwt';
const ACCESS = 'urn:ietf:params:oauth:token-type:access_token';
const HANDOFF = 'urn:writ:params:oauth:token-type:handoff';

const POLICIES = `
@id("ci-agents-start")
permit (principal, action == Writ::Action::"start_task", resource)
when { principal.issuer == "oidc:ci" && context.data_class_level <= 1 };

@id("ci-agents-delegate")
permit (principal, action == Writ::Action::"delegate", resource)
when { principal.issuer == "oidc:ci" && context.actor like "oidc:ci:*" };
`;

/**
 * The broker as a process on a real port, with real Redis and a loopback OIDC issuer: exchange,
 * verification with plain jose against the broker's JWKS, a depth-3 delegation chain, Redis dying
 * and coming back, and a graceful stop.
 */
describe('e2e: token exchange over HTTP with real Redis', () => {
  let redis: RedisServer;
  let idp: LoopbackOidcIssuer;
  let broker: BrokerProcess;
  let issuer: string;

  beforeAll(async () => {
    redis = await startRedis({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
    idp = await startOidcIssuer();
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    const files = await writeBrokerFiles({
      policies: { 'e2e.cedar': POLICIES },
      config: ({ keyFile, policyDir }) => ({
        issuer,
        host: '127.0.0.1',
        redis: { url: redis.url, command_timeout_ms: 300 },
        signing: { key_file: keyFile },
        audiences: [API],
        trust: { oidc: [{ name: 'ci', issuer: idp.issuer, discovery: true, audience: issuer }] },
        policy: { dir: policyDir, watch: false },
        tokens: { max_delegation_depth: 3 },
      }),
    });
    broker = spawnBroker({ WRIT_CONFIG: files.configFile, NODE_ENV: 'production' }, port);
    await waitForHealthy(broker);
  }, 60_000);

  afterAll(async () => {
    await broker?.stop('SIGKILL');
    await idp?.close();
    await redis?.stop();
  });

  async function exchange(form: Record<string, string>) {
    const res = await fetch(`${broker.url}/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams(form),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('issues a writ that verifies with plain jose, and delegates three narrowing hops but not a fourth', async () => {
    const root = await exchange({
      grant_type: GRANT,
      subject_token_type: JWT,
      subject_token: await idp.token('agent-root', issuer),
      audience: API,
      scope: 'tool:a tool:b tool:c tool:d',
    });
    expect(root.status).toBe(200);
    const jwks = createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(String(root.body.access_token), jwks, {
      issuer,
      audience: API,
      typ: 'at+jwt',
    });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload.sub).toBe('oidc:ci:agent-root');

    let parent = String(root.body.access_token);
    const scopes = ['tool:a tool:b tool:c', 'tool:a tool:b', 'tool:a'];
    for (const [i, scope] of scopes.entries()) {
      // The orchestrator asks for a handoff with its writ; the worker accepts it with its own identity.
      const handoff = await exchange({
        grant_type: GRANT,
        subject_token_type: ACCESS,
        subject_token: parent,
        requested_token_type: HANDOFF,
        may_act: `oidc:ci:worker-${i + 1}`,
        scope,
      });
      expect(handoff.status).toBe(200);
      const hop = await exchange({
        grant_type: GRANT,
        subject_token_type: HANDOFF,
        subject_token: String(handoff.body.access_token),
        actor_token_type: JWT,
        actor_token: await idp.token(`worker-${i + 1}`, issuer),
      });
      expect(hop.status).toBe(200);
      const claims = (await jwtVerify(String(hop.body.access_token), jwks, { issuer, audience: API }))
        .payload;
      expect(claims.scope).toBe(scope);
      expect((claims.task as { chain: string[] }).chain).toHaveLength(i + 1);
      parent = String(hop.body.access_token);
    }
    const fourth = await exchange({
      grant_type: GRANT,
      subject_token_type: ACCESS,
      subject_token: parent,
      requested_token_type: HANDOFF,
      may_act: 'oidc:ci:worker-4',
      scope: 'tool:a',
    });
    expect(fourth.status).toBe(400);
    expect(fourth.body.error).toBe('invalid_request');
    expect(decodeJwt(parent).exp).toBeGreaterThan(Date.now() / 1000);

    const metadata = (await (
      await fetch(`${issuer}/.well-known/oauth-authorization-server`)
    ).json()) as Record<string, unknown>;
    expect(metadata.issuer).toBe(issuer);
    expect(metadata.jwks_uri).toBe(`${issuer}/.well-known/jwks.json`);
    // Outside dev mode there is no dev identity issuer.
    const dev = await fetch(`${issuer}/dev/identity`, {
      method: 'POST',
      body: '{"sub":"spiffe://dev.local/x"}',
    });
    expect(dev.status).toBe(404);
    // No token ever reaches a log line.
    expect(broker.stdout()).not.toContain(parent.split('.')[2] ?? '');
  });

  it('answers 503 within 1 s while Redis is dead, and recovers without a restart', async () => {
    const form = async () => ({
      grant_type: GRANT,
      subject_token_type: JWT,
      subject_token: await idp.token('agent-faults', issuer),
      audience: API,
      scope: 'tool:a',
    });
    expect((await exchange(await form())).status).toBe(200);
    await redis.kill('SIGKILL');
    const body = await form();
    const started = performance.now();
    const down = await exchange(body);
    const elapsed = performance.now() - started;
    expect(down.status).toBe(503);
    expect(down.body.error).toBe('temporarily_unavailable');
    expect(elapsed).toBeLessThan(1000);
    expect((await fetch(`${issuer}/readyz`)).status).toBe(503);

    await redis.restart();
    await waitFor(async () => (await exchange(await form())).status === 200, {
      timeoutMs: 10_000,
      intervalMs: 200,
    });
    expect((await fetch(`${issuer}/readyz`)).status).toBe(200);
  });

  it('drains and exits 0 on SIGTERM', async () => {
    expect(await broker.stop('SIGTERM')).toBe(0);
    expect(broker.stdout()).toContain('stopped');
  });
});
