import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TOKEN_TYPE } from '@writ/claims';
import { expect } from 'vitest';
import { generatePrivateJwkSet, type KeyRing, loadKeyRing } from '../src/signing/index.js';
import type { OperatorRole } from '../src/store/index.js';
import { createTestOperatorKey } from './support/operator-fixtures.js';
import {
  createTestBroker,
  formRequest,
  type TestBroker,
  type TestBrokerOptions,
} from './support/test-broker.js';
import { decodePayload, startForm, writForm } from './support/tokens.js';

export const AGENT = 'spiffe://test.example/agents/a1';
export const GREEDY = 'spiffe://test.example/greedy/g1';
export const worker = (n: number) => `spiffe://test.example/agents/worker-${n}`;

export interface PlanInput {
  tools: string[];
  resources?: string[];
  data_classes?: string[];
  budget?: { total?: number; per_tool?: Record<string, number> };
  ttl?: number;
}

export const taskIdOf = (writ: string) => (decodePayload(writ).task as { id: string }).id;

async function writOf(res: Response): Promise<string> {
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** A root task for `sub` with exactly this plan. */
export async function startWrit(t: TestBroker, plan: PlanInput, sub = AGENT): Promise<string> {
  const details = JSON.stringify([{ type: 'agent_task', ...plan }]);
  return writOf(
    await t.exchange(startForm(await t.issuer.svid(sub), { scope: '', authorization_details: details })),
  );
}

/** A child task of `parent` for worker `to` (RFC 8693 actor_token), inheriting the plan unless `scope` narrows it. */
export async function delegateWrit(
  t: TestBroker,
  parent: string,
  to: string,
  scope?: string,
): Promise<string> {
  const form = writForm(parent, {
    actor_token: await t.issuer.svid(to),
    actor_token_type: TOKEN_TYPE.jwt,
    ...(scope ? { scope } : {}),
  });
  return writOf(await t.exchange(form));
}

export async function authorize(t: TestBroker, body: Record<string, unknown>): Promise<Response> {
  return t.app.request('/v1/authorize', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export interface AuthorizeBody {
  decision?: 'allow' | 'deny';
  reasons?: string[];
  budget_left?: { total?: number; tool?: number };
  error?: string;
}

export async function bodyOf(res: Response): Promise<AuthorizeBody> {
  return (await res.json()) as AuthorizeBody;
}

export async function introspect(
  t: TestBroker,
  key: string,
  token: string,
  extra: Record<string, string> = {},
): Promise<Response> {
  const init = formRequest({ token, ...extra });
  return t.app.request('/oauth2/introspect', {
    ...init,
    headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${key}` },
  });
}

/** Audit events appended since `before` events were counted. */
export async function eventsSince(t: TestBroker, before: number): Promise<Array<Record<string, unknown>>> {
  return (await t.auditEvents()).slice(before);
}

/** A broker whose signing key the test also holds, to sign near-writs (wrong `typ`, bad claims). */
export async function createKeyedBroker(
  options: TestBrokerOptions = {},
): Promise<{ t: TestBroker; keyRing: KeyRing; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'writ-keys-'));
  const file = join(dir, 'signing.jwks.json');
  await writeFile(file, JSON.stringify(await generatePrivateJwkSet('ES256')));
  const keyRing = await loadKeyRing(file);
  const t = await createTestBroker({
    ...options,
    config: (c) => ({ ...c, signing: { ...c.signing, key_file: file } }),
  });
  return {
    t,
    keyRing,
    async cleanup() {
      await t.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** An operator key with `roles` (introspect by default). */
export const operatorKey = async (t: TestBroker, roles: OperatorRole[] = ['introspect']): Promise<string> =>
  (await createTestOperatorKey(t, roles)).key;
export { revokeTask } from './support/operator-fixtures.js';
