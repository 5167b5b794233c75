import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CryptoKey, calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { stringify } from 'yaml';

export const TICKETS = 'https://tickets.example.com';
export const KB = 'https://kb.example.com';
export const TRUST_DOMAIN = 'prod.example.com';
export const GRANT_TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const TOKEN_TYPE_JWT = 'urn:ietf:params:oauth:token-type:jwt';
/** The repo's production policies: agents-start-support-task and agents-call-support-tool. */
export const POLICY_DIR = fileURLToPath(new URL('../../deploy/policies/', import.meta.url));
export const SUPPORT_TOOLS = ['search_kb', 'read_ticket', 'comment_ticket', 'summarize'] as const;

export interface BrokerFixture {
  dir: string;
  configFile: string;
  issuer: string;
  port: number;
  /** A JWT-SVID of spiffe://prod.example.com/agents/bench-<n>, aud = the broker, valid ~50 min. */
  svid(n: number): Promise<string>;
  remove(): Promise<void>;
}

/**
 * A temp dir with everything a production-mode broker needs and nothing from its internals:
 * a private ES256 JWK set, a SPIFFE bundle (JWKS) for prod.example.com, and writ.yaml.
 * `redisUrl` undefined writes a dev-mode config (memory store, dev identities) instead.
 */
export async function writeBrokerFixture(options: {
  port: number;
  redisUrl?: string;
  extra?: Record<string, unknown>;
}): Promise<BrokerFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'writ-bench-'));
  const issuer = `http://127.0.0.1:${options.port}`;
  const signing = await generateKeyPair('ES256', { extractable: true });
  const signingJwk = await exportJWK(signing.privateKey);
  const signingKid = await calculateJwkThumbprint(await exportJWK(signing.publicKey));
  const keyFile = join(dir, 'signing-keys.json');
  await writeFile(keyFile, JSON.stringify({ keys: [{ ...signingJwk, kid: signingKid, alg: 'ES256' }] }), {
    mode: 0o600,
  });
  const spire = await generateKeyPair('ES256', { extractable: true });
  const spirePublic = await exportJWK(spire.publicKey);
  const spireKid = await calculateJwkThumbprint(spirePublic);
  const bundleFile = join(dir, 'bundle.jwks');
  await writeFile(
    bundleFile,
    JSON.stringify({ keys: [{ ...spirePublic, kid: spireKid, alg: 'ES256', use: 'jwt-svid' }] }),
  );
  const common = {
    issuer,
    port: options.port,
    host: '127.0.0.1',
    audiences: [TICKETS, KB],
    rate_limits: { token: { limit: 1_000_000_000, window_seconds: 60 } },
    log: { level: 'warn' },
  };
  const config = options.redisUrl
    ? {
        ...common,
        redis: { url: options.redisUrl },
        signing: { key_file: keyFile, algorithm: 'ES256' },
        trust: { spiffe: [{ trust_domain: TRUST_DOMAIN, bundle_file: bundleFile, algorithms: ['ES256'] }] },
        policy: { dir: POLICY_DIR, watch: false },
        ...options.extra,
      }
    : { ...common, dev: true, ...options.extra };
  const configFile = join(dir, 'writ.yaml');
  await writeFile(configFile, stringify(config));
  const issuedAt = Math.floor(Date.now() / 1000);
  return {
    dir,
    configFile,
    issuer,
    port: options.port,
    svid: (n) =>
      signSvid(spire.privateKey, spireKid, issuer, `spiffe://${TRUST_DOMAIN}/agents/bench-${n}`, issuedAt),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

function signSvid(key: CryptoKey, kid: string, audience: string, sub: string, iat: number): Promise<string> {
  return new SignJWT({ sub, aud: audience, jti: randomBytes(16).toString('base64url') })
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
    .setIssuedAt(iat)
    .setExpirationTime(iat + 3000)
    .sign(key);
}

/** Mints `count` SVIDs of distinct principals bench-0 … bench-(count-1). */
export async function mintSvids(fixture: BrokerFixture, count: number): Promise<string[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => fixture.svid(i)));
}

/** Dev mode: identities come from the broker itself (5-minute JWT-SVIDs of dev.local). */
export async function mintDevSvids(url: string, count: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const res = await fetch(`${url}/dev/identity`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sub: `spiffe://dev.local/agents/bench-${i}` }),
    });
    if (res.status !== 200) throw new Error(`POST /dev/identity answered ${res.status}: ${await res.text()}`);
    out.push(((await res.json()) as { token: string }).token);
  }
  return out;
}

/** The form body of a token exchange starting a task with `tools` for the tickets API. */
export function startTaskBody(svid: string, tools: readonly string[]): string {
  return new URLSearchParams({
    grant_type: GRANT_TOKEN_EXCHANGE,
    subject_token_type: TOKEN_TYPE_JWT,
    subject_token: svid,
    audience: TICKETS,
    scope: tools.map((t) => `tool:${t}`).join(' '),
  }).toString();
}

/** One token exchange; throws unless 200. Returns the writ and its task id. */
export async function exchange(url: string, body: string): Promise<{ writ: string; taskId: string }> {
  const res = await fetch(`${url}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`token exchange answered ${res.status}: ${text}`);
  const writ = (JSON.parse(text) as { access_token: string }).access_token;
  const payload = JSON.parse(Buffer.from(writ.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
    task: { id: string };
  };
  return { writ, taskId: payload.task.id };
}

/** Creates an operator key with `roles` using the bootstrap admin key; returns the full key. */
export async function createOperatorKey(url: string, adminKey: string, name: string, roles: string[]) {
  const res = await fetch(`${url}/v1/operator-keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name, roles }),
  });
  const text = await res.text();
  if (res.status !== 201) throw new Error(`POST /v1/operator-keys answered ${res.status}: ${text}`);
  return (JSON.parse(text) as { key: string }).key;
}

/** The JSON body of POST /v1/authorize for `writ` calling its first tool. */
export function authorizeBody(writ: string, tool: string): string {
  return JSON.stringify({ writ, tool, audience: TICKETS });
}

export function introspectBody(writ: string): string {
  return new URLSearchParams({ token: writ }).toString();
}
