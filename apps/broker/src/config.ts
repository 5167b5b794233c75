import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { trustConfigSchema } from './identity/index.js';
import { SIGNING_ALGORITHMS } from './signing/index.js';

/**
 * The only reader of the environment. writ.yaml (path in WRIT_CONFIG) plus WRIT_* overrides,
 * validated once; a bad config stops the process with every problem listed.
 */
const positiveInt = z.number().int().positive();

// Each default is written once, on its field; a section left out is parsed from `{}` (prefault),
// so its fields' defaults apply.

const fileConfigSchema = z
  .object({
    issuer: z.url().optional(),
    port: z.number().int().min(0).max(65535).default(8080),
    /** Default: 127.0.0.1 in dev mode (its /dev/identity mints identities), else 0.0.0.0. */
    host: z.string().min(1).optional(),
    dev: z.boolean().default(false),
    redis: z
      .strictObject({
        url: z.string().regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL'),
        command_timeout_ms: positiveInt.max(10_000).default(500),
        connect_timeout_ms: positiveInt.max(30_000).default(1000),
        /** A revocation is acknowledged only once this many replicas confirm it (WAIT); 0 = none. */
        wait_replicas: z.number().int().min(0).max(16).default(0),
        wait_timeout_ms: positiveInt.max(60_000).default(1000),
      })
      .optional(),
    signing: z
      .strictObject({
        key_file: z.string().min(1).optional(),
        algorithm: z.enum(SIGNING_ALGORITHMS as ['ES256', 'EdDSA']).default('ES256'),
      })
      .prefault({}),
    tokens: z
      .strictObject({
        default_ttl_seconds: positiveInt.max(86_400).default(300),
        max_ttl_seconds: positiveInt.max(86_400).default(3600),
        max_delegation_depth: z.number().int().min(0).max(16).default(3),
      })
      .refine((t) => t.default_ttl_seconds <= t.max_ttl_seconds, {
        message: 'default_ttl_seconds must not exceed max_ttl_seconds',
      })
      .prefault({}),
    /** Downstream audiences writs may be issued for; anything else is invalid_target. */
    audiences: z.array(z.string().min(1).max(512)).default([]),
    trust: trustConfigSchema.prefault({}),
    policy: z
      .strictObject({ dir: z.string().min(1).optional(), watch: z.boolean().default(true) })
      .prefault({}),
    rate_limits: z
      .strictObject({
        token: z
          .strictObject({ limit: positiveInt.default(60), window_seconds: positiveInt.default(60) })
          .prefault({}),
      })
      .prefault({}),
    revocations: z
      .strictObject({
        /**
         * The SSE feed is woken by new entries (XREAD BLOCK); this is only the longest it waits
         * before reading anyway (re-checking the dataset marker and gaps), and its pause after a
         * failed read.
         */
        poll_interval_ms: positiveInt.max(60_000).default(500),
        heartbeat_ms: positiveInt.max(300_000).default(15_000),
      })
      .prefault({}),
    limits: z
      .strictObject({
        max_body_bytes: positiveInt.max(1_048_576).default(65_536),
        /** Open connections in all; beyond it a new connection is closed at once. */
        max_connections: positiveInt.max(1_000_000).default(4096),
        /** Per client address (IPv6 per /64); trusted proxies are exempt (they carry many clients). */
        max_connections_per_address: positiveInt.max(1_000_000).default(256),
        /** Node's defaults are 60 s, 300 s and 5 s: far longer than a broker request needs. */
        headers_timeout_ms: positiveInt.min(100).max(120_000).default(10_000),
        request_timeout_ms: positiveInt.min(100).max(600_000).default(30_000),
        keep_alive_timeout_ms: positiveInt.min(100).max(600_000).default(4_000),
      })
      .refine((l) => l.headers_timeout_ms <= l.request_timeout_ms, {
        message: 'headers_timeout_ms must not exceed request_timeout_ms',
      })
      .prefault({}),
    log: z
      .strictObject({
        level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
      })
      .prefault({}),
    shutdown_grace_ms: positiveInt.max(120_000).default(10_000),
    /**
     * Load balancers / reverse proxies whose `X-Forwarded-For` is believed (CIDRs or single
     * addresses, IPv4 and IPv6). Empty: the socket's peer is the client and the header is ignored.
     */
    trusted_proxies: z
      .array(z.union([z.cidrv4(), z.cidrv6(), z.ipv4(), z.ipv6()]))
      .max(256)
      .default([]),
  })
  .strict();

export type FileConfig = z.infer<typeof fileConfigSchema>;

/** The file schema, for the test that checks docs/configuration.md and deploy/writ.yaml cover it. */
export const configFileSchema = fileConfigSchema;

export interface BrokerConfig extends Omit<FileConfig, 'issuer' | 'host'> {
  issuer: string;
  host: string;
  /** Dev mode: memory store unless Redis is configured, ephemeral key, dev identity issuer. */
  dev: boolean;
  devAdminKey?: string;
  /** Where the config came from, for the start-up log. */
  source: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

type Env = Record<string, string | undefined>;

/** Reads WRIT_CONFIG and WRIT_* from `env` (process.env by default). Throws ConfigError. */
export function loadConfig(env: Env = process.env): BrokerConfig {
  const problems: string[] = [];
  const path = env.WRIT_CONFIG;
  let raw: Record<string, unknown> = {};
  if (path) {
    try {
      const parsed: unknown = parseYaml(readFileSync(path, 'utf8'));
      if (parsed !== null && parsed !== undefined && (typeof parsed !== 'object' || Array.isArray(parsed))) {
        problems.push(`${path}: the top level must be a mapping`);
      } else {
        raw = (parsed as Record<string, unknown> | null) ?? {};
      }
    } catch (err) {
      problems.push(`${path}: ${(err as Error).message}`);
    }
  }
  applyEnvOverrides(raw, env, problems);
  const result = fileConfigSchema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) {
      problems.push(`${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`);
    }
  }
  if (problems.length || !result.success) throw new ConfigError(problems);
  const file = result.data;
  // Dev mode is explicit (WRIT_DEV=1 / dev: true), or implied by a bare `pnpm start` outside
  // production; an explicit WRIT_DEV=0 / dev: false always wins.
  const implicitDev = raw.dev !== false && !path && !file.redis && env.NODE_ENV !== 'production';
  const dev = file.dev || implicitDev;
  const issuer = file.issuer ?? (dev ? `http://localhost:${file.port}` : undefined);
  checkProductionRules(file, dev, issuer, problems);
  if (dev && env.WRIT_DEV_ADMIN_KEY !== undefined && env.WRIT_DEV_ADMIN_KEY.length < 16) {
    problems.push('WRIT_DEV_ADMIN_KEY: must be at least 16 characters');
  }
  if (problems.length || !issuer) throw new ConfigError(problems.length ? problems : ['issuer: required']);
  return {
    ...file,
    issuer: issuer.replace(/\/+$/, ''),
    // A dev broker mints identities for anyone who can reach it: loopback unless told otherwise.
    host: file.host ?? (dev ? '127.0.0.1' : '0.0.0.0'),
    dev,
    ...(dev && env.WRIT_DEV_ADMIN_KEY ? { devAdminKey: env.WRIT_DEV_ADMIN_KEY } : {}),
    source: path ?? (implicitDev ? 'defaults (dev mode)' : 'environment'),
  };
}

function checkProductionRules(
  file: FileConfig,
  dev: boolean,
  issuer: string | undefined,
  problems: string[],
) {
  if (dev) return;
  if (!issuer) problems.push('issuer: required outside dev mode (the broker URL writs name as iss)');
  if (!file.redis) problems.push('redis.url: required outside dev mode');
  if (!file.signing.key_file) problems.push('signing.key_file: required outside dev mode');
  if (!file.policy.dir) problems.push('policy.dir: required outside dev mode');
  if (file.trust.spiffe.length + file.trust.oidc.length === 0) {
    problems.push('trust: at least one SPIFFE trust domain or OIDC issuer is required outside dev mode');
  }
  if (file.audiences.length === 0) problems.push('audiences: list at least one downstream audience');
  if (issuer && file.trust.oidc.some((o) => o.issuer.replace(/\/+$/, '') === issuer.replace(/\/+$/, ''))) {
    problems.push('trust.oidc: the broker must not trust its own issuer as a workload identity issuer');
  }
}

function applyEnvOverrides(raw: Record<string, unknown>, env: Env, problems: string[]) {
  const section = (name: string) => {
    const current = raw[name];
    if (current && typeof current === 'object' && !Array.isArray(current))
      return current as Record<string, unknown>;
    const created: Record<string, unknown> = {};
    raw[name] = created;
    return created;
  };
  const int = (name: string, value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n)) problems.push(`${name}: must be an integer, got "${value}"`);
    return n;
  };
  if (env.WRIT_PORT) raw.port = int('WRIT_PORT', env.WRIT_PORT);
  if (env.WRIT_HOST) raw.host = env.WRIT_HOST;
  if (env.WRIT_ISSUER) raw.issuer = env.WRIT_ISSUER;
  if (env.WRIT_DEV) raw.dev = env.WRIT_DEV === '1' || env.WRIT_DEV === 'true';
  if (env.WRIT_REDIS_URL) section('redis').url = env.WRIT_REDIS_URL;
  if (env.WRIT_SIGNING_KEY_FILE) section('signing').key_file = env.WRIT_SIGNING_KEY_FILE;
  if (env.WRIT_POLICY_DIR) section('policy').dir = env.WRIT_POLICY_DIR;
  if (env.WRIT_LOG_LEVEL) section('log').level = env.WRIT_LOG_LEVEL;
  if (env.WRIT_AUDIENCES)
    raw.audiences = env.WRIT_AUDIENCES.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
}
