import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorOf, isActive, postRevocation, reExchangeStatus, writChain } from '../revocation-helpers.js';
import {
  createTestOperatorKey,
  jtiOf,
  ORCHESTRATOR,
  OTHER,
  startWrit,
  taskIdOf,
} from '../support/fixtures.js';
import { runOperatorRouteSecurityTests } from '../support/operator-route-security.js';
import { createTestBroker, type TestBroker } from '../support/test-broker.js';
import { writForm } from '../support/tokens.js';

const FEED_ID = /^\d+-\d+$/;

describe.each(['memory', 'redis'] as const)('POST /v1/revocations (%s)', (store) => {
  let t: TestBroker;
  let revoker: { key: string; id: string };
  let introspector: string;
  beforeEach(async () => {
    t = await createTestBroker({ store });
    revoker = await createTestOperatorKey(t, ['revoke']);
    introspector = (await createTestOperatorKey(t, ['introspect'])).key;
  });
  afterEach(async () => t.close());

  const revoke = (body: unknown) => postRevocation(t.app, revoker.key, body);
  const feed = async () => (await t.store.readRevocations('0-0', 100)).entries;
  const lastAudit = async () => (await t.auditEvents()).at(-1);

  it('revokes a task and every descendant: a depth-3 writ can no longer re-exchange', async () => {
    const chain = await writChain(t);
    const bystander = await startWrit(t, { sub: OTHER });
    const rootId = taskIdOf(chain[0] as string);

    const res = await revoke({ task: rootId, reason: 'credentials leaked' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({
      revoked: { kind: 'task', task_id: rootId },
      changed: true,
      feed_id: expect.any(String),
    });
    expect(body.feed_id).toMatch(FEED_ID);

    for (const writ of chain) {
      expect(await reExchangeStatus(t, writ)).toBe(400);
      expect(await isActive(t, introspector, writ)).toBe(false);
    }
    expect(await reExchangeStatus(t, bystander)).toBe(200);
    expect(await t.store.getTask(rootId)).toMatchObject({ status: 'revoked' });
    const entries = await feed();
    expect(entries).toEqual([
      expect.objectContaining({
        id: body.feed_id,
        target: { kind: 'task', task_id: rootId },
        status: 'revoked',
        reason: 'credentials leaked',
      }),
    ]);
    const events = await t.auditEvents();
    expect(events.filter((e) => e.type === 'task.revoked')).toEqual([
      expect.objectContaining({
        decision: 'info',
        reasons: ['credentials leaked'],
        operator_key_id: revoker.id,
        task_id: rootId,
        request_id: expect.any(String),
      }),
    ]);
  });

  it('is idempotent: the same task twice answers 200, the second changed=false with no new entry', async () => {
    const taskId = taskIdOf(await startWrit(t));
    expect((await (await revoke({ task: taskId })).json()) as object).toMatchObject({ changed: true });
    const again = await revoke({ task: taskId });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ revoked: { kind: 'task', task_id: taskId }, changed: false });
    expect(await feed()).toHaveLength(1);
    expect((await lastAudit())?.reasons).toEqual(['operator']);
  });

  it('refuses an unknown task with 404 and writes only a deny audit event', async () => {
    const res = await revoke({ task: 'no-such-task-0000000000' });
    expect(await errorOf(res)).toEqual({
      status: 404,
      error: 'invalid_request',
      description: 'no such task',
    });
    expect(await feed()).toEqual([]);
    expect((await t.store.revocationSnapshot()).tasks).toEqual([]);
    expect(await lastAudit()).toMatchObject({
      type: 'revocation.denied',
      decision: 'deny',
      reasons: ['task_unknown'],
      operator_key_id: revoker.id,
      task_id: 'no-such-task-0000000000',
    });
  });

  it('revokes one writ by jti, leaving the task and its other writs live', async () => {
    const first = await startWrit(t);
    const second = (await (await t.exchange(writForm(first))).json()) as { access_token: string };
    const res = await revoke({ jti: jtiOf(first) });
    expect(await res.json()).toMatchObject({ revoked: { kind: 'writ', jti: jtiOf(first) }, changed: true });
    expect(await isActive(t, introspector, first)).toBe(false);
    expect(await isActive(t, introspector, second.access_token)).toBe(true);
    expect((await revoke({ jti: jtiOf(first) })).status).toBe(200);
    expect((await feed()).length).toBe(1);
    expect((await t.auditEvents()).filter((e) => e.type === 'writ.revoked').at(0)).toMatchObject({
      jti: jtiOf(first),
      operator_key_id: revoker.id,
    });
  });

  it('records a jti the store has never seen, for as long as any writ could live', async () => {
    const jti = 'AAAAAAAAAAAAAAAAAAAAAA';
    const res = await revoke({ jti });
    expect(await res.json()).toMatchObject({ revoked: { kind: 'writ', jti }, changed: true });
    const { writs } = await t.store.revocationSnapshot();
    expect(writs).toHaveLength(1);
    expect(writs[0]?.jti).toBe(jti);
    expect(writs[0]?.until).toBeGreaterThanOrEqual(t.clock.nowSeconds() + t.config.tokens.max_ttl_seconds);
  });

  it("revokes a principal: its writs die, other principals' live on, a new writ afterwards is live", async () => {
    const before = await startWrit(t);
    const other = await startWrit(t, { sub: OTHER });
    const res = await revoke({ principal: ORCHESTRATOR, reason: 'agent compromised' });
    const body = (await res.json()) as { below_gen: number; feed_id: string };
    expect(body).toMatchObject({ revoked: { kind: 'principal', principal: ORCHESTRATOR }, changed: true });
    expect(body.below_gen).toBe(await t.store.currentGeneration());
    expect(await isActive(t, introspector, before)).toBe(false);
    expect(await isActive(t, introspector, other)).toBe(true);
    const after = await startWrit(t);
    expect(await isActive(t, introspector, after)).toBe(true);
    expect((await t.store.revocationSnapshot()).principals).toEqual({ [ORCHESTRATOR]: body.below_gen });
    expect((await t.auditEvents()).find((e) => e.type === 'principal.revoked')).toMatchObject({
      principal: ORCHESTRATOR,
      reasons: ['agent compromised'],
      operator_key_id: revoker.id,
    });
  });

  it('revokes an issuer: every writ of its principals dies; writs issued afterwards live', async () => {
    const a = await startWrit(t);
    const b = await startWrit(t, { sub: OTHER });
    const res = await revoke({ issuer: 'spiffe:test.example' });
    expect(await res.json()).toMatchObject({ revoked: { kind: 'issuer', issuer: 'spiffe:test.example' } });
    expect(await isActive(t, introspector, a)).toBe(false);
    expect(await isActive(t, introspector, b)).toBe(false);
    expect(await isActive(t, introspector, await startWrit(t))).toBe(true);
    expect((await t.auditEvents()).find((e) => e.type === 'issuer.revoked')).toMatchObject({
      detail: { issuer: 'spiffe:test.example' },
      operator_key_id: revoker.id,
    });
  });

  it('revokes everything issued so far by generation, not by clock', async () => {
    const a = await startWrit(t);
    const res = await revoke({ all: true });
    const body = (await res.json()) as { below_gen: number };
    expect(body).toMatchObject({ revoked: { kind: 'all' }, changed: true });
    // Same frozen second: only the generation separates the old writ from the new one.
    const b = await startWrit(t);
    expect(await isActive(t, introspector, a)).toBe(false);
    expect(await isActive(t, introspector, b)).toBe(true);
    expect((await t.store.revocationSnapshot()).all_below).toBe(body.below_gen);
    expect((await t.auditEvents()).find((e) => e.type === 'all.revoked')).toMatchObject({
      operator_key_id: revoker.id,
    });
  });

  it.each([
    ['two targets', { task: 'abc', jti: 'AAAAAAAAAAAAAAAAAAAAAA' }],
    ['no target', { reason: 'x' }],
    ['all: false', { all: false }],
    ['an unknown field', { task: 'abc', extra: 1 }],
    ['a reason over 200 characters', { task: 'abc', reason: 'x'.repeat(201) }],
    ['a reason with a newline', { task: 'abc', reason: 'ok\nforged log line' }],
    ['a malformed issuer', { issuer: 'https://evil' }],
    ['a principal with spaces', { principal: 'spiffe://x/ y' }],
    ['a short jti', { jti: 'abc' }],
    ['not JSON', '{"task":'],
  ])('refuses %s with 400 and writes nothing', async (_name, body) => {
    const before = await t.snapshot();
    const res = await revoke(body);
    expect((await errorOf(res)).error).toBe('invalid_request');
    expect(res.status).toBe(400);
    expect(await t.snapshot()).toEqual(before);
  });

  it('refuses a body that is not application/json', async () => {
    const res = await t.app.request('/v1/revocations', {
      method: 'POST',
      headers: { authorization: `Bearer ${revoker.key}`, 'content-type': 'text/plain' },
      body: '{"all":true}',
    });
    expect(await errorOf(res)).toMatchObject({ status: 400, error: 'invalid_request' });
    expect(await feed()).toEqual([]);
  });
});

runOperatorRouteSecurityTests({
  method: 'POST',
  route: '/v1/revocations',
  body: async (t) => ({ json: { task: taskIdOf(await startWrit(t)) } }),
  allowedRoles: ['revoke', 'admin'],
  refusedRoles: ['read', 'introspect', 'feed'],
});
