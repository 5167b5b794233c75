import { TOKEN_TYPE } from '@writ/claims';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestBroker, type TestBroker } from './support/test-broker.js';
import { decodePayload, startForm, writForm } from './support/tokens.js';

const ROOT = 'spiffe://test.example/agents/orchestrator';
const worker = (n: number) => `spiffe://test.example/agents/worker-${n}`;
const scopeOf = (tools: string[]) => tools.map((x) => `tool:${x}`).join(' ');
const taskOf = (writ: string) => decodePayload(writ).task as { id: string; parent?: string; chain: string[] };

describe.each(['redis', 'memory'] as const)('POST /oauth2/token — delegation (%s)', (store) => {
  let t: TestBroker;
  beforeEach(async () => {
    t = await createTestBroker({ store });
  });
  afterEach(async () => t.close());

  async function rootWrit(extra: Record<string, string> = {}) {
    const res = await t.exchange(
      startForm(await t.issuer.svid(ROOT), {
        scope: scopeOf(['a.read', 'b.read', 'c.read', 'd.read']),
        ...extra,
      }),
    );
    expect(res.status).toBe(200);
    return ((await res.json()) as { access_token: string }).access_token;
  }

  async function delegate(parent: string, to: string, extra: Record<string, string> = {}) {
    return t.exchange(
      writForm(parent, { actor_token: await t.issuer.svid(to), actor_token_type: TOKEN_TYPE.jwt, ...extra }),
    );
  }

  async function error(res: Response) {
    return ((await res.json()) as { error: string }).error;
  }

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
      expect(claims.sub).toBe(ROOT);
      expect(claims.client_id).toBe(worker(i + 1));
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
    const before = await t.snapshot();
    const fourth = await delegate(parent, worker(4), { scope: 'tool:a.read' });
    expect(fourth.status).toBe(400);
    expect(await error(fourth)).toBe('invalid_request');
    const after = await t.snapshot();
    expect(Object.keys(after).filter((k) => !(k in before))).toEqual([]);
    expect((await t.auditEvents()).at(-1)).toMatchObject({
      type: 'delegation.denied',
      reasons: ['depth_cap'],
    });
  });

  it('keeps the parent audience: another one is refused, audited, nothing written', async () => {
    const root = await rootWrit();
    const before = await t.snapshot();
    const res = await delegate(root, worker(1), { audience: 'https://other.test.example' });
    expect({ status: res.status, body: await res.json() }).toEqual({
      status: 400,
      body: { error: 'invalid_target', error_description: "a delegated writ keeps its parent's audience" },
    });
    const after = await t.snapshot();
    expect(Object.keys(after).filter((k) => !(k in before) && !k.includes(':rl:'))).toEqual([]);
    expect((await t.auditEvents()).at(-1)).toMatchObject({
      type: 'delegation.denied',
      reasons: ['audience_change_unproven'],
      audience: 'https://api.test.example',
      detail: { asked_audience: 'https://other.test.example' },
    });
  });

  it('refuses a child wider than its parent, or outliving it', async () => {
    const root = await rootWrit({ scope: scopeOf(['a.read']) });
    const wider = await delegate(root, worker(1), { scope: scopeOf(['a.read', 'b.read']) });
    expect(wider.status).toBe(400);
    expect(await error(wider)).toBe('invalid_scope');
    const longer = await delegate(root, worker(1), {
      authorization_details: '[{"type":"agent_task","tools":["a.read"],"ttl":600}]',
    });
    expect(longer.status).toBe(400);
    expect(await error(longer)).toBe('invalid_scope');
    const events = await t.auditEvents();
    expect(events.filter((e) => e.type === 'exchange.scope_violation')).toHaveLength(2);
  });

  it('refuses a delegation policy forbids, a bad actor_token, and one under a quarantined parent', async () => {
    const root = await rootWrit();
    const forbidden = await delegate(root, 'spiffe://test.example/untrusted/x');
    expect(forbidden.status).toBe(400);
    expect(await error(forbidden)).toBe('invalid_scope');
    expect((await t.auditEvents()).at(-1)).toMatchObject({ type: 'delegation.denied', decision: 'deny' });

    const garbage = await t.exchange(
      writForm(root, { actor_token: 'garbage', actor_token_type: TOKEN_TYPE.jwt }),
    );
    expect(garbage.status).toBe(400);
    expect(await error(garbage)).toBe('invalid_request');

    const taskId = taskOf(root).id;
    expect(
      await t.store.quarantineTask(taskId, {
        type: 'task.quarantined',
        time: t.clock.nowMs(),
        request_id: 'test',
        decision: 'deny',
        reasons: ['test'],
      }),
    ).toBe(true);
    const under = await delegate(root, worker(1));
    expect(under.status).toBe(400);
    expect(await error(under)).toBe('invalid_request');
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
    expect(again.status).toBe(400);
    expect(await error(again)).toBe('invalid_request');
  });
});
