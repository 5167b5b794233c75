import { HANDOFF_TOKEN_TYPE, TOKEN_TYPE } from '@writ/claims';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authorize, introspect } from '../../authorize-fixtures.js';
import {
  acceptHandoff,
  createTestOperatorKey,
  handoffOf,
  ORCHESTRATOR,
  requestHandoff,
  scopeOf,
  taskIdOf,
  worker,
} from '../../support/fixtures.js';
import { API_AUDIENCE, BROKER_ISSUER, createTestBroker, type TestBroker } from '../../support/test-broker.js';
import { acceptForm, decodePayload, handoffForm, startForm, writForm } from '../../support/tokens.js';

const taskOf = (writ: string) => decodePayload(writ).task as { id: string; parent?: string; chain: string[] };
const OTHER_AUDIENCE = 'https://other.test.example';

// Flow 3 (docs/handoff.md): the orchestrator asks, with its writ, for a handoff naming the worker;
// the worker accepts it with its own identity. Neither ever holds the other's credential.
describe.each(['redis', 'memory'] as const)('POST /oauth2/token — handoff to a worker (%s)', (store) => {
  let t: TestBroker;
  beforeEach(async () => {
    t = await createTestBroker({ store });
  });
  afterEach(async () => t.close());

  async function rootWrit(extra: Record<string, string> = {}) {
    const res = await t.exchange(
      startForm(await t.issuer.svid(ORCHESTRATOR), {
        scope: scopeOf(['a.read', 'b.read', 'c.read', 'd.read']),
        ...extra,
      }),
    );
    expect(res.status).toBe(200);
    return ((await res.json()) as { access_token: string }).access_token;
  }

  /** Handoff then acceptance; the acceptance's response. */
  async function delegate(parent: string, to: string, form: Record<string, string> = {}) {
    const asked = await requestHandoff(t, parent, to, { form });
    if (asked.status !== 200) return asked;
    return acceptHandoff(t, ((await asked.json()) as { access_token: string }).access_token, to);
  }

  async function answer(res: Response) {
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  /** Keys written by a request, ignoring the audit stream and rate-limit counters. */
  async function writtenBy(request: () => Promise<unknown>): Promise<string[]> {
    const before = await t.snapshot();
    await request();
    const after = await t.snapshot();
    return Object.keys(after).filter(
      (k) =>
        JSON.stringify(after[k]) !== JSON.stringify(before[k]) && !k.endsWith('audit') && !k.includes(':rl:'),
    );
  }

  it('issues a single-use, broker-audience handoff of at most 60 s that no writ check accepts', async () => {
    const root = await rootWrit();
    const res = await t.exchange(handoffForm(root, worker(1), { scope: scopeOf(['a.read']) }));
    const body = (await res.json()) as Record<string, unknown>;
    expect({ status: res.status, ...body, access_token: '…' }).toEqual({
      status: 200,
      access_token: '…',
      issued_token_type: HANDOFF_TOKEN_TYPE,
      token_type: 'N_A',
      expires_in: 60,
      scope: 'tool:a.read',
      authorization_details: [
        { type: 'agent_task', tools: ['a.read'], resources: [], data_classes: ['public'] },
      ],
    });
    const handoff = body.access_token as string;
    expect(decodeProtectedHeader(handoff).typ).toBe('writ-handoff+jwt');
    const claims = decodePayload(handoff);
    expect(claims).toMatchObject({
      iss: BROKER_ISSUER,
      aud: BROKER_ISSUER,
      sub: ORCHESTRATOR,
      client_id: ORCHESTRATOR,
      may_act: { sub: worker(1) },
      parent: { task_id: taskIdOf(root), jti: decodePayload(root).jti },
      child: { aud: API_AUDIENCE },
    });
    expect((claims.exp as number) - (claims.iat as number)).toBe(60);
    expect((await t.auditEvents()).at(-1)).toMatchObject({
      type: 'handoff.issued',
      decision: 'allow',
      principal: ORCHESTRATOR,
      actor_chain: [worker(1)],
      task_id: taskIdOf(root),
      jti: claims.jti,
      audience: API_AUDIENCE,
    });

    // Useless as a writ: at /v1/authorize, at introspection, as a writ at the token endpoint...
    expect((await authorize(t, { writ: handoff, tool: 'a.read' })).status).toBe(401);
    const key = (await createTestOperatorKey(t, ['introspect'])).key;
    expect(await (await introspect(t, key, handoff)).json()).toEqual({ active: false });
    expect(await answer(await t.exchange(writForm(handoff)))).toEqual({
      status: 400,
      body: { error: 'invalid_request', error_description: 'subject_token is not a valid writ (bad_claims)' },
    });
    expect(await answer(await t.exchange(handoffForm(handoff, worker(2))))).toMatchObject({ status: 400 });
    // ...and at any standard resource server (RFC 9068: typ at+jwt, its own audience).
    const jwks = createLocalJWKSet(
      (await (await t.app.request('/.well-known/jwks.json')).json()) as { keys: [] },
    );
    const now = new Date(t.clock.nowMs());
    await expect(
      jwtVerify(handoff, jwks, { issuer: BROKER_ISSUER, audience: API_AUDIENCE, currentDate: now }),
    ).rejects.toThrow();
    await expect(
      jwtVerify(handoff, jwks, { issuer: BROKER_ISSUER, typ: 'at+jwt', currentDate: now }),
    ).rejects.toThrow();
  });

  it('never outlives the writ it was asked with', async () => {
    const root = await rootWrit();
    const short = await t.exchange(
      writForm(root, {
        scope: '',
        authorization_details: '[{"type":"agent_task","tools":["a.read"],"ttl":20}]',
      }),
    );
    const writ = ((await short.json()) as { access_token: string }).access_token;
    const handoff = await handoffOf(t, writ, worker(1));
    expect(decodePayload(handoff).exp).toBe(decodePayload(writ).exp);
    const child = await acceptHandoff(t, handoff, worker(1));
    const childWrit = ((await child.json()) as { access_token: string }).access_token;
    expect(decodePayload(childWrit).exp).toBe(decodePayload(writ).exp);
  });

  it('narrows at each of three hops, nests act, keeps the chain, and refuses a fourth hop', async () => {
    const root = await rootWrit();
    const plans = [['a.read', 'b.read', 'c.read'], ['a.read', 'b.read'], ['a.read']];
    let parent = root;
    const chain = [taskOf(root).id];
    for (const [i, tools] of plans.entries()) {
      const res = await delegate(parent, worker(i + 1), { scope: scopeOf(tools) });
      expect(res.status).toBe(200);
      const writ = ((await res.json()) as { access_token: string }).access_token;
      const claims = decodePayload(writ);
      expect(taskOf(writ).parent).toBe(chain.at(-1));
      expect(taskOf(writ).chain).toEqual(chain);
      expect(claims.sub).toBe(ORCHESTRATOR);
      expect(claims.client_id).toBe(worker(i + 1));
      expect(claims.aud).toBe(API_AUDIENCE);
      expect(claims.scope).toBe(scopeOf(tools));
      expect(claims.exp as number).toBeLessThanOrEqual(decodePayload(parent).exp as number);
      // RFC 8693 §4.1: the current actor is outermost, prior actors nest inside.
      const actors: string[] = [];
      for (
        let act = claims.act as { sub: string; act?: unknown } | undefined;
        act;
        act = act.act as typeof act
      ) {
        actors.push(act.sub);
      }
      expect(actors).toEqual(Array.from({ length: i + 1 }, (_, k) => worker(i + 1 - k)));
      chain.push(taskOf(writ).id);
      parent = writ;
    }
    let fourth: Response | undefined;
    expect(
      await writtenBy(async () => {
        fourth = await requestHandoff(t, parent, worker(4), { form: { scope: 'tool:a.read' } });
      }),
    ).toEqual([]);
    expect(await answer(fourth as Response)).toEqual({
      status: 400,
      body: { error: 'invalid_request', error_description: 'delegation depth is capped at 3' },
    });
    expect((await t.auditEvents()).at(-1)).toMatchObject({
      type: 'delegation.denied',
      reasons: ['depth_cap'],
    });
  });

  it("keeps the parent's audience unless the task client itself proves it chose another", async () => {
    const root = await rootWrit();
    let refused: Response | undefined;
    expect(
      await writtenBy(async () => {
        refused = await requestHandoff(t, root, worker(1), { form: { audience: OTHER_AUDIENCE } });
      }),
    ).toEqual([]);
    expect(await answer(refused as Response)).toEqual({
      status: 400,
      body: {
        error: 'invalid_target',
        error_description:
          "a delegated writ keeps its parent's audience unless the task client proves itself",
      },
    });
    expect((await t.auditEvents()).at(-1)).toMatchObject({
      type: 'delegation.denied',
      reasons: ['audience_change_unproven'],
      detail: { asked_audience: OTHER_AUDIENCE },
    });
    // A worker's identity on the handoff request proves nothing, and is refused outright.
    const withWorker = await requestHandoff(t, root, worker(1), {
      form: {
        audience: OTHER_AUDIENCE,
        actor_token: await t.issuer.svid(worker(1)),
        actor_token_type: TOKEN_TYPE.jwt,
      },
    });
    expect(await answer(withWorker)).toEqual({
      status: 400,
      body: {
        error: 'invalid_request',
        error_description: "actor_token must be the task client's own identity",
      },
    });
    // The task client itself may choose another audience for its worker.
    const proven = await delegate(root, worker(1), {
      audience: OTHER_AUDIENCE,
      actor_token: await t.issuer.svid(ORCHESTRATOR),
      actor_token_type: TOKEN_TYPE.jwt,
    });
    expect(proven.status).toBe(200);
    const child = ((await proven.json()) as { access_token: string }).access_token;
    expect(decodePayload(child).aud).toBe(OTHER_AUDIENCE);
  });

  it('refuses a child wider than its parent, or outliving it, at the handoff request', async () => {
    const root = await rootWrit({ scope: scopeOf(['a.read']) });
    const wider = await requestHandoff(t, root, worker(1), {
      form: { scope: scopeOf(['a.read', 'b.read']) },
    });
    expect(wider.status).toBe(400);
    expect((await wider.json()) as object).toMatchObject({ error: 'invalid_scope' });
    const longer = await requestHandoff(t, root, worker(1), {
      form: { authorization_details: '[{"type":"agent_task","tools":["a.read"],"ttl":600}]' },
    });
    expect(longer.status).toBe(400);
    expect((await longer.json()) as object).toMatchObject({ error: 'invalid_scope' });
    const events = await t.auditEvents();
    expect(events.filter((e) => e.type === 'exchange.scope_violation')).toHaveLength(2);
    expect(events.filter((e) => e.type === 'handoff.issued')).toHaveLength(0);
  });

  it('refuses a handoff policy forbids, a bad may_act, and a bad actor_token at acceptance', async () => {
    const root = await rootWrit();
    const forbidden = await requestHandoff(t, root, 'spiffe://test.example/untrusted/x');
    expect(await answer(forbidden)).toMatchObject({ status: 400, body: { error: 'invalid_scope' } });
    expect((await t.auditEvents()).at(-1)).toMatchObject({ type: 'delegation.denied', decision: 'deny' });
    for (const [mayAct, reason] of [
      ['', 'may_act_missing'],
      ['spiffe://test.example/a b', 'may_act_malformed'],
      [ORCHESTRATOR, 'may_act_is_task_client'],
    ] as const) {
      const res = await t.exchange(handoffForm(root, mayAct));
      expect(await answer(res)).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
      expect((await t.auditEvents()).at(-1)).toMatchObject({ type: 'delegation.denied', reasons: [reason] });
    }
    const handoff = await handoffOf(t, root, worker(1));
    const garbage = await t.exchange(acceptForm(handoff, 'garbage'));
    expect(await answer(garbage)).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    // The worker cannot rewrite what the handoff fixed.
    const rewritten = await t.exchange(
      acceptForm(handoff, await t.issuer.svid(worker(1)), { scope: scopeOf(['a.read', 'd.read']) }),
    );
    expect(await answer(rewritten)).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
    // Neither refusal consumed the handoff.
    expect((await acceptHandoff(t, handoff, worker(1))).status).toBe(200);
  });

  it('accepts a handoff once: a second acceptance is refused, audited, and writes nothing', async () => {
    const root = await rootWrit();
    const handoff = await handoffOf(t, root, worker(1), { tools: ['a.read'] });
    expect((await acceptHandoff(t, handoff, worker(1))).status).toBe(200);
    let again: Response | undefined;
    expect(
      await writtenBy(async () => {
        again = await acceptHandoff(t, handoff, worker(1));
      }),
    ).toEqual([]);
    expect(await answer(again as Response)).toEqual({
      status: 400,
      body: {
        error: 'invalid_request',
        error_description: 'the handoff was already used',
        reason: 'handoff_used',
      },
    });
    expect((await t.auditEvents()).at(-1)).toMatchObject({
      type: 'exchange.denied',
      reasons: ['handoff_used'],
      actor_chain: [worker(1)],
    });
  });

  it('gives exactly one writ to concurrent acceptances of one handoff', async () => {
    const root = await rootWrit();
    const handoff = await handoffOf(t, root, worker(1), { tools: ['a.read'] });
    const svid = await t.issuer.svid(worker(1));
    const results = await Promise.all(
      Array.from({ length: 5 }, () => t.exchange(acceptForm(handoff, svid)).then(answer)),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status !== 200).map((r) => r.body.reason)).toEqual(
      Array(4).fill('handoff_used'),
    );
    expect((await t.store.getTaskChildren(taskIdOf(root))).length).toBe(1);
  });

  it('refuses a handoff presented by another principal, and an expired one', async () => {
    const root = await rootWrit();
    const handoff = await handoffOf(t, root, worker(1), { tools: ['a.read'] });
    let stolen: Response | undefined;
    expect(
      await writtenBy(async () => {
        stolen = await acceptHandoff(t, handoff, worker(2));
      }),
    ).toEqual([]);
    expect(await answer(stolen as Response)).toEqual({
      status: 400,
      body: {
        error: 'invalid_request',
        error_description: 'the handoff names another worker',
        reason: 'handoff_not_for_actor',
      },
    });
    expect((await t.auditEvents()).at(-1)).toMatchObject({
      type: 'delegation.denied',
      reasons: ['handoff_not_for_actor'],
      actor_chain: [worker(2)],
    });
    // Not consumed by the thief; but dead 60 s after it was made.
    t.clock.advance(60_000);
    const svid = await t.issuer.svid(worker(1));
    expect(await answer(await t.exchange(acceptForm(handoff, svid)))).toEqual({
      status: 400,
      body: {
        error: 'invalid_request',
        error_description: 'subject_token is not a valid handoff (expired)',
        reason: 'handoff_expired',
      },
    });
    expect((await t.auditEvents()).at(-1)).toMatchObject({
      type: 'exchange.denied',
      reasons: ['handoff:expired'],
    });
  });

  it('refuses the old path: a writ with a worker identity as actor_token', async () => {
    const root = await rootWrit();
    let res: Response | undefined;
    expect(
      await writtenBy(async () => {
        res = await t.exchange(
          writForm(root, { actor_token: await t.issuer.svid(worker(1)), actor_token_type: TOKEN_TYPE.jwt }),
        );
      }),
    ).toEqual([]);
    expect(await answer(res as Response)).toEqual({
      status: 400,
      body: {
        error: 'invalid_request',
        error_description:
          "actor_token must be the task client's own identity; delegate to a worker with a handoff",
        reason: 'delegate_with_handoff',
      },
    });
  });

  it('refuses an acceptance once the parent was quarantined, and says so', async () => {
    const root = await rootWrit();
    const handoff = await handoffOf(t, root, worker(1));
    expect(
      await t.store.quarantineTask(taskOf(root).id, {
        type: 'task.quarantined',
        time: t.clock.nowMs(),
        request_id: 'test',
        decision: 'deny',
        reasons: ['test'],
      }),
    ).toBe(true);
    expect(await answer(await acceptHandoff(t, handoff, worker(1)))).toEqual({
      status: 400,
      body: {
        error: 'invalid_request',
        error_description: "the handoff's parent writ is no longer live: its task was quarantined",
        reason: 'task_quarantined',
      },
    });
  });

  it('a delegated child dies with its parent: its own re-exchange is refused', async () => {
    const root = await rootWrit();
    const res = await delegate(root, worker(1), { scope: 'tool:a.read' });
    const child = ((await res.json()) as { access_token: string }).access_token;
    await t.store.quarantineTask(taskOf(root).id, {
      type: 'task.quarantined',
      time: t.clock.nowMs(),
      request_id: 'test',
      decision: 'deny',
      reasons: ['test'],
    });
    const again = await t.exchange(writForm(child));
    expect(await answer(again)).toMatchObject({ status: 400, body: { error: 'invalid_request' } });
  });
});
