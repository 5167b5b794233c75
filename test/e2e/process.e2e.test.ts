import { freePort } from '@writ/test/harness';
import { afterEach, describe, expect, it } from 'vitest';
import { writeBrokerFiles } from './support/broker-files.js';
import { type BrokerProcess, spawnBroker, waitForHealthy } from './support/broker-process.js';

const VALID_POLICY = `permit (principal, action == Writ::Action::"start_task", resource);\n`;

/** What a user sees when starting the broker: refusals with every problem named, and dev mode. */
describe('e2e: starting the broker', () => {
  let broker: BrokerProcess | undefined;
  afterEach(async () => {
    await broker?.stop('SIGKILL');
    broker = undefined;
  });

  it('refuses a bad config, listing every problem with its path, exit code 2', async () => {
    const files = await writeBrokerFiles({
      policies: { 'ok.cedar': VALID_POLICY },
      config: () => ({
        issuer: 'not a url',
        tokens: { max_delegation_depth: 99 },
        trust: { spiffe: [{ trust_domain: 'Bad Domain' }] },
        surprise: true,
      }),
    });
    broker = spawnBroker({ WRIT_CONFIG: files.configFile, NODE_ENV: 'production' }, await freePort());
    expect(await broker.exited).toBe(2);
    const err = broker.stderr();
    expect(err).toContain('invalid configuration');
    for (const path of ['issuer', 'tokens.max_delegation_depth', 'trust.spiffe.0', '(root)']) {
      expect(err).toContain(`${path}:`);
    }
  });

  it('refuses to start on an invalid policy, naming its file and line', async () => {
    const files = await writeBrokerFiles({
      policies: {
        'a.cedar': VALID_POLICY,
        'bad.cedar': `// line 1\n// line 2\npermit (principal, action, resource) when { nope };\n`,
      },
      config: ({ keyFile, policyDir }) => ({
        issuer: 'https://writ.e2e.example',
        redis: { url: 'redis://127.0.0.1:1' },
        signing: { key_file: keyFile },
        audiences: ['https://api.e2e.example'],
        trust: {
          oidc: [
            {
              name: 'ci',
              issuer: 'https://ci.e2e.example',
              jwks_uri: 'https://ci.e2e.example/jwks',
              audience: 'x',
            },
          ],
        },
        policy: { dir: policyDir, watch: false },
      }),
    });
    broker = spawnBroker({ WRIT_CONFIG: files.configFile, NODE_ENV: 'production' }, await freePort());
    const code = await broker.exited;
    expect(code).not.toBe(0);
    expect(broker.stderr()).toMatch(/bad\.cedar:3/);
  });

  it('runs dev mode with no config: loud banner, dev identity, a first exchange as in the README', async () => {
    const port = await freePort();
    broker = spawnBroker({}, port);
    await waitForHealthy(broker);
    expect(broker.stderr()).toContain('WRIT DEV MODE');
    const id = await fetch(`${broker.url}/dev/identity`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub: 'spiffe://dev.local/agents/triage' }),
    });
    expect(id.status).toBe(200);
    const { token } = (await id.json()) as { token: string };
    const res = await fetch(`${broker.url}/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        subject_token: token,
        audience: 'https://api.example.com',
        scope: 'tool:github.issues.create tool:jira.read',
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { access_token: string; scope: string };
    expect(body.scope).toBe('tool:github.issues.create tool:jira.read');
    const outsider = await fetch(`${broker.url}/dev/identity`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub: 'spiffe://prod.example.com/agents/x' }),
    });
    expect(outsider.status).toBe(400);
  });
});
