import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RevocationTarget } from '../src/store/index.js';
import { AGENT, authorize, introspect } from './authorize-fixtures.js';
import { createTestOperatorKey, delegateWrit, startWrit, worker } from './support/fixtures.js';
import { createTestBroker, type TestBroker } from './support/test-broker.js';
import { decodePayload } from './support/tokens.js';

/** What the model knows of one issued writ. */
interface ModelWrit {
  writ: string;
  taskId: string;
  /** Ancestor task ids, root first. */
  chain: string[];
  principals: string[];
  /** Revocation epoch current when it was issued. */
  epoch: number;
}

interface Model {
  writs: ModelWrit[];
  revokedTasks: Set<string>;
  /** Principal → last epoch it was revoked at. */
  revokedPrincipals: Map<string, number>;
  epoch: number;
}

interface Real {
  t: TestBroker;
  key: string;
}

const MAX_DEPTH = 3;
const MAX_WRITS = 12;

function isLive(m: Model, w: ModelWrit): boolean {
  if ([...w.chain, w.taskId].some((id) => m.revokedTasks.has(id))) return false;
  return w.principals.every((p) => (m.revokedPrincipals.get(p) ?? -1) < w.epoch);
}

function record(m: Model, writ: string): void {
  const claims = decodePayload(writ);
  const task = claims.task as { id: string; chain: string[] };
  const actors: string[] = [];
  for (let act = claims.act as { sub: string; act?: unknown } | undefined; act; act = act.act as typeof act) {
    actors.push(act.sub);
  }
  m.writs.push({
    writ,
    taskId: task.id,
    chain: task.chain,
    principals: [String(claims.sub), String(claims.client_id), ...actors],
    epoch: m.epoch,
  });
}

async function revoke(r: Real, target: RevocationTarget): Promise<boolean> {
  const result = await r.t.store.revoke({
    target,
    reason: 'model',
    audit: {
      type: 'task.revoked',
      time: r.t.clock.nowMs(),
      request_id: 'model',
      decision: 'info',
      reasons: [],
    },
  });
  return result.changed;
}

class StartCommand implements fc.AsyncCommand<Model, Real> {
  check = (m: Readonly<Model>) => m.writs.length < MAX_WRITS;
  async run(m: Model, r: Real) {
    record(m, await startWrit(r.t, { plan: { tools: ['a.read'] }, sub: AGENT }));
  }
  toString = () => 'start';
}

class DelegateCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly pick: number,
    readonly to: number,
  ) {}
  check = (m: Readonly<Model>) => m.writs.length > 0 && m.writs.length < MAX_WRITS;
  async run(m: Model, r: Real) {
    const parent = m.writs[this.pick % m.writs.length] as ModelWrit;
    // Only live parents below the depth cap: the model checks runtime answers, not issuance refusals.
    if (!isLive(m, parent) || parent.chain.length + 1 > MAX_DEPTH) return;
    // A handoff to the task's own client is refused (it would re-exchange the writ itself).
    if (decodePayload(parent.writ).client_id === worker(this.to)) return;
    record(m, await delegateWrit(r.t, parent.writ, worker(this.to)));
  }
  toString = () => `delegate(${this.pick}, worker-${this.to})`;
}

class RevokeTaskCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>) => m.writs.length > 0;
  async run(m: Model, r: Real) {
    const target = m.writs[this.pick % m.writs.length] as ModelWrit;
    const changed = await revoke(r, { kind: 'task', task_id: target.taskId });
    expect(changed).toBe(!m.revokedTasks.has(target.taskId));
    m.revokedTasks.add(target.taskId);
  }
  toString = () => `revokeTask(${this.pick})`;
}

class RevokePrincipalCommand implements fc.AsyncCommand<Model, Real> {
  constructor(readonly principal: string) {}
  check = () => true;
  async run(m: Model, r: Real) {
    await revoke(r, { kind: 'principal', principal: this.principal });
    // The revocation also bans identity tokens issued until now: a second later, fresh ones work.
    r.t.clock.advance(1000);
    m.revokedPrincipals.set(this.principal, m.epoch);
    m.epoch += 1;
  }
  toString = () => `revokePrincipal(${this.principal})`;
}

class AuthorizeCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    readonly pick: number,
    readonly viaIntrospection: boolean,
  ) {}
  check = (m: Readonly<Model>) => m.writs.length > 0;
  async run(m: Model, r: Real) {
    const w = m.writs[this.pick % m.writs.length] as ModelWrit;
    const live = isLive(m, w);
    if (this.viaIntrospection) {
      const res = await introspect(r.t, r.key, w.writ);
      expect(((await res.json()) as { active: boolean }).active).toBe(live);
    } else {
      const res = await authorize(r.t, { writ: w.writ, tool: 'a.read' });
      expect(res.status).toBe(live ? 200 : 401);
    }
  }
  toString = () => `${this.viaIntrospection ? 'introspect' : 'authorize'}(${this.pick})`;
}

const principals = [AGENT, worker(1), worker(2), worker(3)];
const commands = [
  fc.constant(new StartCommand()),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 3 })).map(([p, w]) => new DelegateCommand(p, w)),
  fc.nat().map((p) => new RevokeTaskCommand(p)),
  fc.constantFrom(...principals).map((p) => new RevokePrincipalCommand(p)),
  fc.tuple(fc.nat(), fc.boolean()).map(([p, v]) => new AuthorizeCommand(p, v)),
];

describe('model: issue / delegate / revoke / authorize (memory store)', () => {
  it('never allows nor reports active a revoked writ, and always allows a live one', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 25 }), async (cmds) => {
        const t = await createTestBroker({ store: 'memory' });
        try {
          const real = { t, key: (await createTestOperatorKey(t, ['introspect'])).key };
          const model: Model = { writs: [], revokedTasks: new Set(), revokedPrincipals: new Map(), epoch: 0 };
          await fc.asyncModelRun(() => ({ model, real }), cmds);
          // Finally every writ the model knows is checked once more.
          for (const w of model.writs) {
            const res = await authorize(t, { writ: w.writ, tool: 'a.read' });
            expect([w.taskId, res.status]).toEqual([w.taskId, isLive(model, w) ? 200 : 401]);
          }
        } finally {
          await t.close();
        }
      }),
      { numRuns: 30 },
    );
  }, 120_000);
});
