import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { get, json } from '../operator-reads-fixtures.js';
import {
  createTestOperatorKey,
  delegateWrit,
  ORCHESTRATOR,
  OTHER,
  revokeTask,
  scopeOf,
  startWrit,
  taskIdOf,
  worker,
} from '../support/fixtures.js';
import { runOperatorRouteSecurityTests } from '../support/operator-route-security.js';
import { createTestBroker, type TestBroker } from '../support/test-broker.js';

interface Summary {
  id: string;
  principal: string;
  client_id: string;
  status: string;
  record_status: string;
  parent?: string;
}
interface ListBody {
  tasks: Summary[];
  next_cursor: string | null;
}

describe.each(['redis', 'memory'] as const)('GET /v1/tasks (%s)', (store) => {
  let t: TestBroker;
  let reader: string;
  beforeEach(async () => {
    t = await createTestBroker({ store });
    reader = (await createTestOperatorKey(t, ['read'])).key;
  });
  afterEach(async () => t.close());

  const list = async (query: string, key = reader) => json<ListBody>(await get(t, `/v1/tasks${query}`, key));

  it('lists tasks newest first with their summary fields, no-store', async () => {
    const first = taskIdOf(await startWrit(t));
    t.clock.advance(1000);
    const second = taskIdOf(await startWrit(t, { sub: OTHER }));
    const res = await get(t, '/v1/tasks', reader);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = await json<ListBody>(res);
    expect(body.next_cursor).toBeNull();
    expect(body.tasks.map((x) => x.id)).toEqual([second, first]);
    expect(body.tasks[1]).toEqual({
      id: first,
      chain: [],
      principal: ORCHESTRATOR,
      client_id: ORCHESTRATOR,
      issuer: 'spiffe:test.example',
      intent: 'unspecified',
      data_class: 'public',
      created_at: t.clock.nowSeconds() - 1,
      expires_at: t.clock.nowSeconds() - 1 + t.config.tokens.default_ttl_seconds,
      status: 'live',
      record_status: 'live',
    });
  });

  it('pages through more tasks than the limit: every task once, none missing', async () => {
    const created = new Set<string>();
    for (let i = 0; i < 7; i++) {
      created.add(taskIdOf(await startWrit(t, { sub: i % 2 ? ORCHESTRATOR : OTHER })));
      t.clock.advance(1000);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const body: ListBody = await list(`?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(body.tasks.length).toBeLessThanOrEqual(3);
      seen.push(...body.tasks.map((x) => x.id));
      cursor = body.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(7);
    expect(new Set(seen)).toEqual(created);
  });

  it('filters by principal (sub or client_id)', async () => {
    const writ = await startWrit(t);
    const mine = taskIdOf(writ);
    await startWrit(t, { sub: OTHER });
    t.clock.advance(1000);
    const child = taskIdOf(await delegateWrit(t, writ, worker(1), { form: { scope: scopeOf(['a.read']) } }));
    const body = await list(`?principal=${encodeURIComponent(ORCHESTRATOR)}`);
    expect(body.tasks.map((x) => x.id)).toEqual([child, mine]);
    const byWorker = await list(`?principal=${encodeURIComponent(worker(1))}`);
    expect(byWorker.tasks.map((x) => [x.id, x.principal, x.client_id])).toEqual([
      [child, ORCHESTRATOR, worker(1)],
    ]);
    expect(await list(`?principal=${encodeURIComponent('spiffe://test.example/nobody')}`)).toEqual({
      tasks: [],
      next_cursor: null,
    });
  });

  it('filters by effective status: a cascaded child shows revoked after its root is revoked', async () => {
    const root = await startWrit(t);
    const child = await delegateWrit(t, root, worker(1), { form: { scope: scopeOf(['a.read']) } });
    const other = taskIdOf(await startWrit(t, { sub: OTHER }));
    await revokeTask(t, taskIdOf(root));

    const revoked = await list('?status=revoked');
    expect(revoked.tasks.map((x) => [x.id, x.status, x.record_status]).sort()).toEqual(
      [
        [taskIdOf(root), 'revoked', 'revoked'],
        [taskIdOf(child), 'revoked', 'live'],
      ].sort(),
    );
    expect((await list('?status=live')).tasks.map((x) => x.id)).toEqual([other]);
    expect((await list('?status=completed')).tasks).toEqual([]);

    t.clock.advance((t.config.tokens.default_ttl_seconds + 1) * 1000);
    expect((await list('?status=expired')).tasks.map((x) => x.id)).toEqual([other]);
    expect((await list('?status=live')).tasks).toEqual([]);
  });

  it('fills a filtered page across store pages and still pages without loss', async () => {
    const live: string[] = [];
    for (let i = 0; i < 6; i++) {
      const id = taskIdOf(await startWrit(t));
      if (i % 2) live.push(id);
      else await revokeTask(t, id);
      t.clock.advance(1000);
    }
    const first = await list('?status=live&limit=2');
    expect(first.tasks).toHaveLength(2);
    expect(first.next_cursor).not.toBeNull();
    const rest = await list(`?status=live&limit=2&cursor=${encodeURIComponent(first.next_cursor ?? '')}`);
    expect([...first.tasks, ...rest.tasks].map((x) => x.id)).toEqual([...live].reverse());
  });

  it('reads at most 10 store pages per request, then hands back a cursor', async () => {
    for (let i = 0; i < 12; i++) {
      await revokeTask(t, taskIdOf(await startWrit(t)));
      t.clock.advance(1000);
    }
    const first = await list('?status=live&limit=1');
    expect(first.tasks).toEqual([]);
    expect(first.next_cursor).not.toBeNull();
    const second = await list(`?status=live&limit=1&cursor=${encodeURIComponent(first.next_cursor ?? '')}`);
    expect(second).toEqual({ tasks: [], next_cursor: null });
  });

  it.each([
    ['?limit=0', 'limit'],
    ['?limit=101', 'limit'],
    ['?limit=abc', 'limit'],
    ['?limit=-1', 'limit'],
    ['?status=dead', 'status'],
    ['?principle=x', 'principle'],
    ['?limit=2&limit=3', 'limit'],
    ['?cursor=', 'cursor'],
    ['?cursor=bm90LWEtY3Vyc29y', 'cursor'],
    ['?cursor=1700000000000-0', 'cursor'],
  ])('refuses %s with 400 invalid_request', async (query, named) => {
    const body = await json<{ error: string; error_description: string }>(
      await get(t, `/v1/tasks${query}`, reader),
      400,
    );
    expect(body.error).toBe('invalid_request');
    expect(body.error_description).toContain(named);
  });
});

runOperatorRouteSecurityTests({
  method: 'GET',
  route: '/v1/tasks',
  allowedRoles: ['read', 'admin'],
  refusedRoles: ['introspect', 'revoke', 'feed'],
});
