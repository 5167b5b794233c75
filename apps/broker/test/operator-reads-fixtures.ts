import { TOKEN_TYPE } from '@writ/claims';
import { expect } from 'vitest';
import type { OperatorRole } from '../src/store/index.js';
import { createTestOperatorKey } from './support/operator-fixtures.js';
import type { TestBroker } from './support/test-broker.js';
import { decodePayload, startForm, writForm } from './support/tokens.js';

export const ORCHESTRATOR = 'spiffe://test.example/agents/orchestrator';
export const OTHER = 'spiffe://test.example/agents/other';
export const worker = (n: number) => `spiffe://test.example/agents/worker-${n}`;
export const scopeOf = (tools: string[]) => tools.map((x) => `tool:${x}`).join(' ');
export const taskIdOf = (writ: string) => (decodePayload(writ).task as { id: string }).id;
export const jtiOf = (writ: string) => decodePayload(writ).jti as string;

export async function get(t: TestBroker, path: string, key?: string): Promise<Response> {
  return t.app.request(path, key === undefined ? {} : { headers: { authorization: `Bearer ${key}` } });
}

export async function json<T = Record<string, unknown>>(res: Response, status = 200): Promise<T> {
  const body = (await res.json()) as T;
  expect({ status: res.status, body }).toMatchObject({ status });
  return body;
}

export async function startWrit(
  t: TestBroker,
  sub: string = ORCHESTRATOR,
  extra: Record<string, string> = {},
): Promise<string> {
  const res = await t.exchange(
    startForm(await t.issuer.svid(sub), { scope: scopeOf(['a.read', 'b.read', 'c.read']), ...extra }),
  );
  return (await json<{ access_token: string }>(res)).access_token;
}

export async function delegateWrit(
  t: TestBroker,
  parent: string,
  to: string,
  extra: Record<string, string> = {},
): Promise<string> {
  const res = await t.exchange(
    writForm(parent, { actor_token: await t.issuer.svid(to), actor_token_type: TOKEN_TYPE.jwt, ...extra }),
  );
  return (await json<{ access_token: string }>(res)).access_token;
}

export const operatorKey = async (t: TestBroker, roles: OperatorRole[]): Promise<string> =>
  (await createTestOperatorKey(t, roles)).key;
export { revokeTask } from './support/operator-fixtures.js';
