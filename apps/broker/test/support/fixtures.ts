import { expect } from 'vitest';
import { createAuditLog } from '../../src/audit/audit-log.js';
import { createOperatorKey, disableOperatorKey } from '../../src/operators/manage-operator-keys.js';
import type { createFixedClock } from '../../src/shared/clock.js';
import { silentLogger } from '../../src/shared/logger.js';
import type { OperatorRole, WritStore } from '../../src/store/index.js';
import type { TestBroker } from './test-broker.js';
import { acceptForm, decodePayload, handoffForm, startForm } from './tokens.js';

// One helper per concept for the broker's HTTP tests: writs, tasks and operator keys.

export const ORCHESTRATOR = 'spiffe://test.example/agents/orchestrator';
export const OTHER = 'spiffe://test.example/agents/other';
export const worker = (n: number) => `spiffe://test.example/agents/worker-${n}`;
export const scopeOf = (tools: string[]) => tools.map((x) => `tool:${x}`).join(' ');
export const taskIdOf = (writ: string) => (decodePayload(writ).task as { id: string }).id;
export const jtiOf = (writ: string) => decodePayload(writ).jti as string;

/** The tools a root writ gets when a test does not say. */
export const DEFAULT_TOOLS = ['a.read', 'b.read', 'c.read'];

/** An `agent_task` plan, sent as RFC 9396 authorization_details instead of a scope. */
export interface PlanInput {
  tools: string[];
  resources?: string[];
  data_classes?: string[];
  budget?: { total?: number; per_tool?: Record<string, number> };
  ttl?: number;
}

export interface StartWritOptions {
  /** The workload asking; ORCHESTRATOR by default. */
  sub?: string;
  /** Asked as `tool:` scopes; DEFAULT_TOOLS by default. Ignored when `plan` is given. */
  tools?: string[];
  /** The whole plan as authorization_details (scope left empty). */
  plan?: PlanInput;
  /** Extra or overriding form fields. */
  form?: Record<string, string>;
  /** Claims of the identity token to override, e.g. a later `iat` after a revocation (ban). */
  svidClaims?: Record<string, unknown>;
}

/**
 * Options for an identity issued after a revocation in the same broker second: its `iat` is one
 * second later (an identity issuer's clock slightly ahead, within the clock tolerance), so the
 * revocation's ban on earlier identity tokens does not cover it.
 */
export const freshIdentity = (t: TestBroker) => ({ svidClaims: { iat: t.clock.nowSeconds() + 1 } });

async function writOf(res: Response): Promise<string> {
  const body = (await res.json()) as { access_token?: string };
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body.access_token as string;
}

/** A root writ: a new task for `sub`. */
export async function startWrit(t: TestBroker, options: StartWritOptions = {}): Promise<string> {
  const asked: Record<string, string> = options.plan
    ? { scope: '', authorization_details: JSON.stringify([{ type: 'agent_task', ...options.plan }]) }
    : { scope: scopeOf(options.tools ?? DEFAULT_TOOLS) };
  const svid = await t.issuer.svid(
    options.sub ?? ORCHESTRATOR,
    options.svidClaims ? { claims: options.svidClaims } : {},
  );
  return writOf(await t.exchange(startForm(svid, { ...asked, ...options.form })));
}

export interface DelegateWritOptions {
  /** Narrow the child to these tools; it inherits the parent's plan otherwise. */
  tools?: string[];
  /** Extra or overriding fields of the handoff request (e.g. a raw `scope`, `audience`). */
  form?: Record<string, string>;
  /** The worker's identity token when accepting (a fresh SVID of `to` by default). */
  actorToken?: string;
}

/** The orchestrator's request for a handoff of `parent` to worker `to` (docs/handoff.md). */
export function requestHandoff(
  t: TestBroker,
  parent: string,
  to: string,
  options: DelegateWritOptions = {},
): Promise<Response> {
  return t.exchange(
    handoffForm(parent, to, { ...(options.tools ? { scope: scopeOf(options.tools) } : {}), ...options.form }),
  );
}

/** A handoff of `parent` to worker `to`, asserting it was issued. */
export async function handoffOf(
  t: TestBroker,
  parent: string,
  to: string,
  options: DelegateWritOptions = {},
): Promise<string> {
  return writOf(await requestHandoff(t, parent, to, options));
}

/** The worker `as` accepts `handoff` with its own identity (actor_token; a fresh SVID by default). */
export async function acceptHandoff(
  t: TestBroker,
  handoff: string,
  as: string,
  actorToken?: string,
): Promise<Response> {
  return t.exchange(acceptForm(handoff, actorToken ?? (await t.issuer.svid(as))));
}

/**
 * A child task of `parent` for worker `to`, the one way there is: the orchestrator asks for a
 * handoff with its writ, the worker accepts it with its own identity.
 */
export async function delegateWrit(
  t: TestBroker,
  parent: string,
  to: string,
  options: DelegateWritOptions = {},
): Promise<string> {
  const handoff = await handoffOf(t, parent, to, options);
  return writOf(await acceptHandoff(t, handoff, to, options.actorToken));
}

type Broker = { store: WritStore; clock: ReturnType<typeof createFixedClock> };

const SETUP = { keyId: 'test-setup', requestId: 'test-setup' };
const keyDeps = (t: Broker) => ({
  store: t.store,
  clock: t.clock,
  audit: createAuditLog({ store: t.store, logger: silentLogger }),
});

/** A real operator key with `roles`, created through the key domain (argon2 hash in the store). */
export async function createTestOperatorKey(
  t: Broker,
  roles: OperatorRole[],
): Promise<{ key: string; id: string }> {
  const { key, record } = await createOperatorKey(
    keyDeps(t),
    { name: `test-${roles.join('-')}`, roles },
    SETUP,
  );
  return { key, id: record.id };
}

/** Disables an operator key as an admin would, asserting that it existed. */
export async function disableTestOperatorKey(t: Broker, id: string): Promise<void> {
  expect({ id, disabled: await disableOperatorKey(keyDeps(t), id, SETUP) }).toEqual({ id, disabled: true });
}

/** Ends a task as an operator would (store.revoke), asserting that it changed something. */
export async function revokeTask(t: Broker, taskId: string): Promise<void> {
  const result = await t.store.revoke({
    target: { kind: 'task', task_id: taskId },
    reason: 'test',
    audit: {
      type: 'task.revoked',
      time: t.clock.nowMs(),
      request_id: 'test',
      decision: 'info',
      reasons: ['test'],
      task_id: taskId,
      operator_key_id: 'test-setup',
    },
  });
  expect(result).toMatchObject({ changed: true });
}
