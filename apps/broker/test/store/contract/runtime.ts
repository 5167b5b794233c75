import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../src/audit/audit-event.js';
import {
  type AuthorizeActionInput,
  InvalidStoreInputError,
  type TaskRecord,
} from '../../../src/store/index.js';
import { buildAudit, buildChildTask, buildCommit, buildTask, livenessOf } from '../support/test-data.js';
import type { StoreFixture } from './contract.js';

/** checkWritLive, authorizeAction and usage (introspection and runtime authorization). */
export function describeRuntimeContract(fixture: () => StoreFixture): void {
  const start = async (f: StoreFixture, task: TaskRecord) => {
    const commit = buildCommit(f.clock, task);
    expect(await f.store.commitIssuance(commit)).toEqual({ ok: true });
    return commit;
  };
  const actionEvent = (f: StoreFixture): AuditEvent =>
    buildAudit(f.clock, { type: 'action.allowed', reasons: ['plan permits', 'policy permits'] });
  const action = (
    f: StoreFixture,
    commit: Awaited<ReturnType<typeof start>>,
    tool: string,
  ): AuthorizeActionInput => ({
    ...livenessOf(commit.writ, commit.task),
    tool,
    audit: actionEvent(f),
  });

  describe('checkWritLive', () => {
    it('is live only while the writ is known and its task live and unexpired', async () => {
      const f = fixture();
      const commit = await start(f, buildTask(f.clock, { expires_at: f.clock.nowSeconds() + 60 }));
      const input = livenessOf(commit.writ, commit.task);
      expect(await f.store.checkWritLive(input)).toEqual({ live: true });
      expect(await f.store.checkWritLive({ ...input, jti: 'unknown-jti' })).toEqual({
        live: false,
        reason: 'writ_unknown',
      });
      expect(await f.store.checkWritLive({ ...input, jti: 'bad jti' })).toEqual({
        live: false,
        reason: 'writ_unknown',
      });
      expect(await f.store.checkWritLive({ ...input, chain: ['no-such-task'] })).toEqual({
        live: false,
        reason: 'ancestor_not_live',
      });
      f.clock.advance(60_000);
      expect(await f.store.checkWritLive(input)).toEqual({ live: false, reason: 'task_not_live' });
    });

    it('rejects a malformed generation', async () => {
      const f = fixture();
      const commit = await start(f, buildTask(f.clock));
      const input = livenessOf(commit.writ, commit.task, { gen: 0 });
      await expect(f.store.checkWritLive(input)).rejects.toThrow(InvalidStoreInputError);
    });
  });

  describe('authorizeAction', () => {
    it('allows, takes one unit of the total and of the tool, and audits the decision', async () => {
      const f = fixture();
      const commit = await start(f, buildTask(f.clock));
      const input = action(f, commit, 'jira.comment');
      expect(await f.store.authorizeAction(input)).toEqual({
        decision: 'allow',
        reasons: [],
        budget_left: { total: 19, tool: 4 },
      });
      expect(await f.store.getTaskUsage(commit.task.id)).toEqual({
        total: 1,
        per_tool: { 'jira.comment': 1 },
      });
      expect(await f.store.readAudit(1)).toStrictEqual([
        { ...input.audit, type: 'action.allowed', decision: 'allow' },
      ]);
      const read = await f.store.authorizeAction(action(f, commit, 'jira.read'));
      expect(read).toEqual({ decision: 'allow', reasons: [], budget_left: { total: 18 } });
    });

    it('denies a tool whose own budget is spent, and still allows other tools', async () => {
      const f = fixture();
      const budget = { total: 10, per_tool: { 'jira.comment': 2 } };
      const commit = await start(f, buildTask(f.clock, { budget }));
      for (const left of [1, 0]) {
        expect((await f.store.authorizeAction(action(f, commit, 'jira.comment'))).budget_left).toEqual({
          total: 10 - 2 + left,
          tool: left,
        });
      }
      const before = await f.snapshot();
      const denied = action(f, commit, 'jira.comment');
      const reason = `budget_exhausted:tool:jira.comment:${commit.task.id}`;
      expect(await f.store.authorizeAction(denied)).toEqual({
        decision: 'deny',
        reasons: [reason],
        budget_left: { total: 8, tool: 0 },
      });
      const after = await f.snapshot();
      expect({ ...after, [f.keys.audit]: undefined }).toEqual({ ...before, [f.keys.audit]: undefined });
      expect(await f.store.readAudit(1)).toStrictEqual([
        { ...denied.audit, type: 'action.denied', decision: 'deny', reasons: [reason] },
      ]);
      expect(await f.store.authorizeAction(action(f, commit, 'jira.read'))).toMatchObject({
        decision: 'allow',
      });
      expect(await f.store.getTaskUsage(commit.task.id)).toEqual({
        total: 3,
        per_tool: { 'jira.comment': 2, 'jira.read': 1 },
      });
    });

    it('charges every ancestor, so a delegated child cannot outspend its parent', async () => {
      const f = fixture();
      const root = await start(f, buildTask(f.clock, { budget: { total: 3 } }));
      const child = buildChildTask(f.clock, root.task);
      delete child.budget;
      const childCommit = await start(f, child);
      const results = [];
      for (let n = 0; n < 4; n++)
        results.push(await f.store.authorizeAction(action(f, childCommit, 'jira.read')));
      expect(results.map((r) => r.decision)).toEqual(['allow', 'allow', 'allow', 'deny']);
      expect(results.map((r) => r.budget_left)).toEqual([
        { total: 2 },
        { total: 1 },
        { total: 0 },
        { total: 0 },
      ]);
      expect(results[3]?.reasons).toEqual([`budget_exhausted:total:${root.task.id}`]);
      expect(await f.store.getTaskUsage(root.task.id)).toEqual({ total: 3, per_tool: { 'jira.read': 3 } });
      expect(await f.store.getTaskUsage(child.id)).toEqual({ total: 3, per_tool: { 'jira.read': 3 } });
      expect((await f.store.authorizeAction(action(f, root, 'jira.read'))).reasons).toEqual([
        `budget_exhausted:total:${root.task.id}`,
      ]);
    });

    it('reports every exhausted budget on the chain, and no budget_left without limits', async () => {
      const f = fixture();
      const root = await start(f, buildTask(f.clock, { budget: { total: 0 } }));
      const child = await start(
        f,
        buildChildTask(f.clock, root.task, { budget: { per_tool: { 'jira.read': 0 } } }),
      );
      expect(await f.store.authorizeAction(action(f, child, 'jira.read'))).toEqual({
        decision: 'deny',
        reasons: [
          `budget_exhausted:tool:jira.read:${child.task.id}`,
          `budget_exhausted:total:${root.task.id}`,
        ],
        budget_left: { total: 0, tool: 0 },
      });
      const free = buildTask(f.clock);
      delete free.budget;
      const freeCommit = await start(f, free);
      expect(await f.store.authorizeAction(action(f, freeCommit, 'jira.read'))).toEqual({
        decision: 'allow',
        reasons: [],
        budget_left: {},
      });
    });

    it('gives exactly 50 of 200 concurrent calls against a budget of 50, one audit event each', async () => {
      const f = fixture();
      const commit = await start(f, buildTask(f.clock, { budget: { total: 50 } }));
      const results = await Promise.all(
        Array.from({ length: 200 }, () => f.store.authorizeAction(action(f, commit, 'jira.read'))),
      );
      expect(results.filter((r) => r.decision === 'allow')).toHaveLength(50);
      expect(results.filter((r) => r.decision === 'deny')).toHaveLength(150);
      expect(await f.store.getTaskUsage(commit.task.id)).toEqual({
        total: 50,
        per_tool: { 'jira.read': 50 },
      });
      const events = await f.store.readAudit(1000);
      expect(events).toHaveLength(201);
      expect(events.filter((e) => e.type === 'action.allowed')).toHaveLength(50);
      expect(events.filter((e) => e.type === 'action.denied')).toHaveLength(150);
    });

    it('denies a writ that is not live with one audit event and takes no budget', async () => {
      const f = fixture();
      const commit = await start(f, buildTask(f.clock));
      await f.store.revoke({
        target: { kind: 'writ', jti: commit.writ.jti },
        reason: 'x',
        audit: buildAudit(f.clock),
      });
      const before = await f.snapshot();
      for (const [input, reason] of [
        [action(f, commit, 'jira.read'), 'writ_revoked'],
        [{ ...action(f, commit, 'jira.read'), jti: 'no-such-jti' }, 'writ_unknown'],
        [{ ...action(f, commit, 'jira.read'), task_id: 'bad id' }, 'writ_unknown'],
      ] as const) {
        expect(await f.store.authorizeAction(input)).toEqual({
          decision: 'deny',
          reasons: [reason],
          budget_left: {},
        });
        expect(await f.store.readAudit(1)).toStrictEqual([
          { ...input.audit, type: 'action.denied', decision: 'deny', reasons: [reason] },
        ]);
      }
      const after = await f.snapshot();
      expect({ ...after, [f.keys.audit]: undefined }).toEqual({ ...before, [f.keys.audit]: undefined });
      expect(await f.store.getTaskUsage(commit.task.id)).toEqual({ total: 0, per_tool: {} });
    });

    it('rejects a malformed tool before writing', async () => {
      const f = fixture();
      const commit = await start(f, buildTask(f.clock));
      const before = await f.snapshot();
      await expect(f.store.authorizeAction(action(f, commit, ''))).rejects.toThrow(InvalidStoreInputError);
      expect(await f.snapshot()).toEqual(before);
    });
  });
}
