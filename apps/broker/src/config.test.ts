import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

const SAMPLE = fileURLToPath(new URL('../../../deploy/writ.yaml', import.meta.url));

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('accepts the commented sample in deploy/ as a production config', () => {
    const config = loadConfig({ WRIT_CONFIG: SAMPLE, NODE_ENV: 'production' });
    expect(config.dev).toBe(false);
    expect(config.issuer).toBe('https://writ.example.com');
    expect(config.trust.spiffe[0]?.trust_domain).toBe('prod.example.com');
    expect(config.trust.oidc.map((o) => o.name)).toEqual(['k8s-prod', 'github']);
    expect(config.tokens.max_delegation_depth).toBe(3);
  });

  it('applies WRIT_* overrides on top of the file', () => {
    const config = loadConfig({
      WRIT_CONFIG: SAMPLE,
      WRIT_PORT: '9191',
      WRIT_REDIS_URL: 'redis://10.0.0.9:6380',
      WRIT_LOG_LEVEL: 'warn',
      WRIT_AUDIENCES: 'https://a.example, https://b.example',
    });
    expect(config.port).toBe(9191);
    expect(config.redis?.url).toBe('redis://10.0.0.9:6380');
    expect(config.log.level).toBe('warn');
    expect(config.audiences).toEqual(['https://a.example', 'https://b.example']);
  });

  it('is dev mode with no config and no Redis outside production, on localhost:<port>', () => {
    const config = loadConfig({ WRIT_PORT: '8123' });
    expect(config.dev).toBe(true);
    expect(config.issuer).toBe('http://localhost:8123');
    expect(config.redis).toBeUndefined();
  });

  it('binds a dev broker to loopback unless told otherwise; elsewhere every interface', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ WRIT_DEV: '1', WRIT_HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
    const sample = { WRIT_CONFIG: SAMPLE, NODE_ENV: 'production' };
    expect(loadConfig(sample).host).toBe('0.0.0.0');
    expect(loadConfig({ ...sample, WRIT_HOST: '::' }).host).toBe('::');
  });

  it('never guesses dev mode when WRIT_DEV=0 says no', () => {
    expect(problemsOf({ WRIT_DEV: '0' })).toEqual(
      expect.arrayContaining([expect.stringContaining('redis.url')]),
    );
  });

  it('refuses to guess dev mode in production', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual(
      expect.arrayContaining([
        expect.stringContaining('issuer'),
        expect.stringContaining('redis.url'),
        expect.stringContaining('signing.key_file'),
        expect.stringContaining('policy.dir'),
        expect.stringContaining('trust'),
        expect.stringContaining('audiences'),
      ]),
    );
  });

  it('lists every problem with its path', () => {
    const problems = problemsOf({
      WRIT_PORT: 'eighty',
      WRIT_REDIS_URL: 'http://nope',
      WRIT_LOG_LEVEL: 'loud',
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^WRIT_PORT: must be an integer/),
        expect.stringMatching(/^redis\.url: /),
        expect.stringMatching(/^log\.level: /),
      ]),
    );
  });

  it('refuses a short dev admin key', () => {
    expect(problemsOf({ WRIT_DEV_ADMIN_KEY: 'short' })).toEqual([
      'WRIT_DEV_ADMIN_KEY: must be at least 16 characters',
    ]);
  });

  it('keeps the dev admin key to dev mode', () => {
    expect(loadConfig({ WRIT_DEV_ADMIN_KEY: 'k'.repeat(32) }).devAdminKey).toBe('k'.repeat(32));
    expect(
      loadConfig({ WRIT_CONFIG: SAMPLE, WRIT_DEV_ADMIN_KEY: 'k'.repeat(32), NODE_ENV: 'production' })
        .devAdminKey,
    ).toBeUndefined();
  });
});
