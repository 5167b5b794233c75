import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { buildBroker } from '../../src/deps.js';
import { createPolicySet, createStaticPolicyEngine } from '../../src/policy/index.js';
import { silentLogger } from '../../src/shared/logger.js';
import { generateEphemeralKeyRing } from '../../src/signing/index.js';
import { createMemoryStore } from '../../src/store/index.js';
import { errorOf, reExchangeStatus, writChain } from '../revocation-helpers.js';
import { startWrit, taskIdOf } from '../support/fixtures.js';
import { createTestBroker, formRequest, TEST_POLICIES, type TestBroker } from '../support/test-broker.js';
import { startForm } from '../support/tokens.js';

describe.each(['memory', 'redis'] as const)('POST /oauth2/revoke — RFC 7009 (%s)', (store) => {
  let t: TestBroker;
  beforeEach(async () => {
    t = await createTestBroker({ store });
  });
  afterEach(async () => t.close());

  const revoke = (form: Record<string, string | string[]>) =>
    Promise.resolve(t.app.request('/oauth2/revoke', formRequest(form)));
  const feed = async () => (await t.store.readRevocations('0-0', 100)).entries;

  it('revokes the whole task of a valid writ, descendants included, and answers 200 with no body', async () => {
    const chain = await writChain(t);
    const rootId = taskIdOf(chain[0] as string);
    const res = await revoke({ token: chain[0] as string, token_type_hint: 'access_token' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await t.store.getTask(rootId)).toMatchObject({ status: 'revoked' });
    for (const writ of chain) expect(await reExchangeStatus(t, writ)).toBe(400);
    expect(await feed()).toEqual([
      expect.objectContaining({
        target: { kind: 'task', task_id: rootId },
        status: 'revoked',
        reason: 'rfc7009',
      }),
    ]);
    expect((await t.auditEvents()).filter((e) => e.type === 'task.revoked')).toEqual([
      expect.objectContaining({ reasons: ['rfc7009'], task_id: rootId }),
    ]);
  });

  it('revoking a delegated writ ends only that branch', async () => {
    const chain = await writChain(t);
    expect((await revoke({ token: chain[2] as string })).status).toBe(200);
    expect(await reExchangeStatus(t, chain[3] as string)).toBe(400);
    expect(await reExchangeStatus(t, chain[0] as string)).toBe(200);
  });

  it('answers 200 for an invalid, expired or repeated token and writes nothing (RFC 7009 §2.2)', async () => {
    const writ = await startWrit(t);
    expect((await revoke({ token: writ })).status).toBe(200);
    const before = await t.snapshot();
    for (const token of [
      'garbage',
      'a.b.c',
      writ,
      await t.issuer.svid('spiffe://test.example/x'),
      'x'.repeat(20_000),
    ]) {
      expect((await revoke({ token })).status).toBe(200);
    }
    expect(await t.snapshot()).toEqual(before);
    const expired = await startWrit(t);
    const events = (await t.auditEvents()).length;
    t.clock.advance(3600_000);
    expect((await revoke({ token: expired })).status).toBe(200);
    expect((await t.auditEvents()).length).toBe(events);
    expect(await t.store.getTask(taskIdOf(expired))).toMatchObject({ status: 'live' });
    expect(await feed()).toHaveLength(1);
  });

  it('answers unsupported_token_type for a refresh_token hint; a missing token is invalid_request', async () => {
    const writ = await startWrit(t);
    const res = await revoke({ token: writ, token_type_hint: 'refresh_token' });
    expect(await errorOf(res)).toMatchObject({ status: 400, error: 'unsupported_token_type' });
    expect(await t.store.getTask(taskIdOf(writ))).toMatchObject({ status: 'live' });
    expect((await errorOf(await revoke({}))).error).toBe('invalid_request');
    expect((await errorOf(await revoke({ token: [writ, writ] }))).error).toBe('invalid_request');
    const json = await t.app.request('/oauth2/revoke', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: writ }),
    });
    expect(await errorOf(json)).toMatchObject({ status: 400, error: 'invalid_request' });
    expect(await feed()).toEqual([]);
  });
});

describe('POST /oauth2/revoke — a writ this broker signed but whose task it does not know', () => {
  it('answers 200 and records one deny audit event', async () => {
    const t = await createTestBroker({ store: 'memory' });
    try {
      const keyRing = await generateEphemeralKeyRing('ES256');
      const policy = createStaticPolicyEngine(createPolicySet([{ file: 'test.cedar', text: TEST_POLICIES }]));
      const build = (store: ReturnType<typeof createMemoryStore>) =>
        buildBroker(t.config, silentLogger, { clock: t.clock, store, keyRing, policy });
      const issuing = await build(createMemoryStore({ clock: t.clock }));
      const otherStore = createMemoryStore({ clock: t.clock });
      const other = await build(otherStore);
      const res = await createApp(issuing.app).request(
        '/oauth2/token',
        formRequest(startForm(await t.issuer.svid('spiffe://test.example/agents/orchestrator'))),
      );
      const writ = ((await res.json()) as { access_token: string }).access_token;

      const revoked = await createApp(other.app).request('/oauth2/revoke', formRequest({ token: writ }));
      expect(revoked.status).toBe(200);
      const events = await otherStore.readAudit(10);
      expect(events).toEqual([
        expect.objectContaining({
          type: 'revocation.denied',
          reasons: ['task_unknown'],
          task_id: taskIdOf(writ),
        }),
      ]);
      expect((await otherStore.readRevocations('0-0', 10)).entries).toEqual([]);
      issuing.app.revocation.feed.close();
      other.app.revocation.feed.close();
    } finally {
      await t.close();
    }
  });
});
