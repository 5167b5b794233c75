import { TOKEN_TYPE } from '@writ/claims';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StoreSnapshot, WritStore } from '../src/store/index.js';
import { errorOf, postRevocation } from './revocation-helpers.js';
import { createTestOperatorKey, ORCHESTRATOR, OTHER, startWrit, worker } from './support/fixtures.js';
import { createTestBroker, type TestBroker } from './support/test-broker.js';
import { startForm, writForm } from './support/tokens.js';

/** Keys a refused exchange may change: the audit stream and its rate-limit counter, nothing else. */
function changedKeys(before: StoreSnapshot, after: StoreSnapshot): string[] {
  return Object.keys({ ...before, ...after }).filter(
    (k) =>
      JSON.stringify(before[k]) !== JSON.stringify(after[k]) && !k.endsWith('audit') && !k.includes(':rl:'),
  );
}

/** a principal, issuer or `all` revocation is also a ban on the identity tokens it covers. */
describe.each(['memory', 'redis'] as const)('identity tokens after a revocation (%s)', (store) => {
  let t: TestBroker;
  let revoker: string;
  beforeEach(async () => {
    t = await createTestBroker({ store });
    revoker = (await createTestOperatorKey(t, ['revoke'])).key;
  });
  afterEach(async () => t.close());

  const revoke = async (body: unknown) => {
    const res = await postRevocation(t.app, revoker, body);
    expect(res.status).toBe(200);
  };

  /** Exchanges `svid` and expects the ban's refusal: 400, one exchange.denied, nothing else written. */
  async function expectBanned(form: Record<string, string>, principal: string) {
    const before = await t.snapshot();
    const eventsBefore = (await t.auditEvents()).length;
    const res = await t.exchange(form);
    expect(await errorOf(res)).toEqual({
      status: 400,
      error: 'invalid_request',
      description: expect.stringMatching(/issued before a revocation .*freshly issued/),
    });
    const events = (await t.auditEvents()).slice(eventsBefore);
    expect(events).toEqual([
      expect.objectContaining({
        type: 'exchange.denied',
        decision: 'deny',
        reasons: ['identity_revoked'],
        principal: expect.any(String),
        detail: expect.objectContaining({ issuer: 'spiffe:test.example' }),
      }),
    ]);
    expect(JSON.stringify(events)).toContain(principal);
    expect(changedKeys(before, await t.snapshot())).toEqual([]);
  }

  it('refuses the revoked principal’s identity token issued before the revocation, even re-minted in the same second', async () => {
    const leaked = await t.issuer.svid(ORCHESTRATOR);
    expect((await t.exchange(startForm(leaked))).status).toBe(200);
    const other = await t.issuer.svid(OTHER);
    t.clock.advance(500);
    await revoke({ principal: ORCHESTRATOR });

    await expectBanned(startForm(leaked), ORCHESTRATOR);
    // Same second as the revocation: `iat` cannot tell it from one issued just before.
    await expectBanned(startForm(await t.issuer.svid(ORCHESTRATOR)), ORCHESTRATOR);
    // Another principal of the same issuer is not covered.
    expect((await t.exchange(startForm(other))).status).toBe(200);

    t.clock.advance(1000);
    expect((await t.exchange(startForm(await t.issuer.svid(ORCHESTRATOR)))).status).toBe(200);
    // The leaked token stays refused for as long as it could be accepted at all.
    t.clock.advance(60_000);
    await expectBanned(startForm(leaked), ORCHESTRATOR);
  });

  it('refuses every identity token of a revoked issuer, and after `all`, until a fresh one', async () => {
    for (const body of [{ issuer: 'spiffe:test.example' }, { all: true }]) {
      const old = await t.issuer.svid(OTHER);
      await revoke(body);
      await expectBanned(startForm(old), OTHER);
      t.clock.advance(1000);
      expect((await t.exchange(startForm(await t.issuer.svid(OTHER)))).status).toBe(200);
    }
  });

  it('refuses a revoked principal as actor_token of a delegation', async () => {
    const parent = await startWrit(t);
    const workerId = worker(1);
    const actor = await t.issuer.svid(workerId);
    t.clock.advance(1000);
    await revoke({ principal: workerId });
    const form = writForm(parent, { actor_token: actor, actor_token_type: TOKEN_TYPE.jwt });
    await expectBanned(form, workerId);
  });

  it('catches a revocation landing between the ban check and the commit (the retry checks again)', async () => {
    await t.close();
    let injected = false;
    const inject = (inner: WritStore): WritStore => ({
      ...inner,
      async identityBan(principal, issuerId) {
        const state = await inner.identityBan(principal, issuerId);
        if (!injected) {
          injected = true;
          await postRevocation(t.app, revoker, { principal: ORCHESTRATOR });
        }
        return state;
      },
    });
    t = await createTestBroker({ store, wrapStore: inject });
    revoker = (await createTestOperatorKey(t, ['revoke'])).key;
    const leaked = await t.issuer.svid(ORCHESTRATOR);
    const res = await t.exchange(startForm(leaked));
    expect(injected).toBe(true);
    expect(await errorOf(res)).toMatchObject({ status: 400, error: 'invalid_request' });
    const events = (await t.auditEvents()).filter((e) => !String(e.type).startsWith('operator_key.'));
    expect(events.map((e) => [e.type, e.reasons])).toEqual([
      ['principal.revoked', ['operator']],
      ['exchange.denied', ['identity_revoked']],
    ]);
    expect(await t.store.listTasks({ limit: 10 })).toEqual({ items: [] });
  });

  it.each([
    [{ principal: 'spiffe://Test.Example/agents/x' }, 'principal'],
    [{ principal: 'spiffe://test.example' }, 'principal'],
    [{ principal: 'spiffe://test.example/a//b' }, 'principal'],
    [{ principal: 'spiffe://unknown.example/agents/x' }, 'principal'],
    [{ principal: 'oidc:ci:repo:example' }, 'principal'],
    [{ principal: 'oidc:CI:x' }, 'principal'],
    [{ principal: 'agents/planner' }, 'principal'],
    [{ issuer: 'spiffe:Test.Example' }, 'issuer'],
    [{ issuer: 'spiffe:unknown.example' }, 'issuer'],
    [{ issuer: 'oidc:ci' }, 'issuer'],
  ])('refuses to revoke %j, which no identity could carry: 400, nothing written', async (body, named) => {
    const before = await t.snapshot();
    const res = await postRevocation(t.app, revoker, body);
    const error = await errorOf(res);
    expect(error).toMatchObject({ status: 400, error: 'invalid_request' });
    expect(error.description).toContain(named);
    expect(await t.snapshot()).toEqual(before);
    expect((await t.store.revocationSnapshot()).generation).toBe(1);
  });
});
