import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatePrivateJwkSet, type KeyRing, loadKeyRing } from '../src/signing/index.js';
import {
  createTestBroker,
  formRequest,
  type TestBroker,
  type TestBrokerOptions,
} from './support/test-broker.js';

export const AGENT = 'spiffe://test.example/agents/a1';
export const GREEDY = 'spiffe://test.example/greedy/g1';

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
  error_description?: string;
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
