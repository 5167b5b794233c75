import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RevocationTarget } from '../src/store/index.js';
import { AGENT, authorize, introspect } from './authorize-fixtures.js';
import {
  createTestOperatorKey,
  delegateWrit,
  revokeTask,
  startWrit,
  taskIdOf,
  worker,
} from './support/fixtures.js';
import { createTestBroker, type TestBroker } from './support/test-broker.js';

const PLAN = { tools: ['a.read', 'b.read'] };

describe.each(['redis', 'memory'] as const)('revocation at /v1/authorize and introspection (%s)', (store) => {
  let t: TestBroker;
  let key: string;
  let chain: string[];
  beforeEach(async () => {
    t = await createTestBroker({ store });
    key = (await createTestOperatorKey(t, ['introspect'])).key;
    chain = [await startWrit(t, { plan: PLAN, sub: AGENT })];
    for (let depth = 1; depth <= 3; depth++) {
      chain.push(await delegateWrit(t, chain[depth - 1] as string, worker(depth)));
    }
  });
  afterEach(async () => t.close());

  async function statusAt(writ: string): Promise<{ authorize: number; active: boolean }> {
    const res = await authorize(t, { writ, tool: 'a.read' });
    const seen = await introspect(t, key, writ);
    expect(seen.status).toBe(200);
    return { authorize: res.status, active: ((await seen.json()) as { active: boolean }).active };
  }

  async function revoke(target: RevocationTarget) {
    const result = await t.store.revoke({
      target,
      reason: 'test',
      audit: {
        type: 'task.revoked',
        time: t.clock.nowMs(),
        request_id: 'test',
        decision: 'info',
        reasons: [],
      },
    });
    expect(result).toMatchObject({ changed: true });
  }

  it('every writ of the depth-3 chain is live before any revocation', async () => {
    for (const writ of chain) expect(await statusAt(writ)).toEqual({ authorize: 200, active: true });
  });

  it('revoking the root task rejects the depth-3 descendant at authorize and introspection', async () => {
    await revokeTask(t, taskIdOf(chain[0] as string));
    for (const writ of chain) expect(await statusAt(writ)).toEqual({ authorize: 401, active: false });
    const events = await t.auditEvents();
    const last = events.filter((e) => e.type === 'action.denied').at(-1);
    expect(last).toMatchObject({ reasons: ['ancestor_not_live'], task_id: taskIdOf(chain[3] as string) });
  });

  it('revoking a middle task kills it and what is below, not what is above', async () => {
    await revokeTask(t, taskIdOf(chain[2] as string));
    const states = [];
    for (const writ of chain) states.push(await statusAt(writ));
    expect(states).toEqual([
      { authorize: 200, active: true },
      { authorize: 200, active: true },
      { authorize: 401, active: false },
      { authorize: 401, active: false },
    ]);
  });

  it('revoking a principal (an actor in the chain) kills every writ naming it, by generation', async () => {
    await revoke({ kind: 'principal', principal: worker(2) });
    const states = [];
    for (const writ of chain) states.push((await statusAt(writ)).authorize);
    expect(states).toEqual([200, 200, 401, 401]);
    // A writ issued after the revocation carries the new generation and is live (its actor proves
    // itself with an identity issued after the revocation: the earlier ones are banned).
    const actor = await t.issuer.svid(worker(2), { claims: { iat: t.clock.nowSeconds() + 1 } });
    const fresh = await delegateWrit(t, chain[1] as string, worker(2), { actorToken: actor });
    expect(await statusAt(fresh)).toEqual({ authorize: 200, active: true });
  });

  it('revoking one writ by jti kills only that writ; revoking everything kills all', async () => {
    const jti = JSON.parse(Buffer.from((chain[3] as string).split('.')[1] ?? '', 'base64url').toString()).jti;
    await revoke({ kind: 'writ', jti });
    expect((await statusAt(chain[3] as string)).authorize).toBe(401);
    expect((await statusAt(chain[2] as string)).authorize).toBe(200);
    await revoke({ kind: 'all' });
    for (const writ of chain) expect(await statusAt(writ)).toEqual({ authorize: 401, active: false });
  });
});
