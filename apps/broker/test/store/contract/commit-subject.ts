import { describe, expect, it } from 'vitest';
import {
  type CommitIssuanceInput,
  InvalidStoreInputError,
  type RevocationTarget,
  type TaskRecord,
} from '../../../src/store/index.js';
import {
  buildAudit,
  buildChildTask,
  buildCommit,
  buildTask,
  buildWrit,
  livenessOf,
  newId,
} from '../support/test-data.js';
import type { StoreFixture } from './contract.js';

/**
 * commitIssuance with a subject writ (re-exchange, delegation): the subject's own liveness is
 * checked in the same atomic step, so a revocation landing after the caller's liveness check and
 * before the commit is never dodged.
 */
export function describeCommitSubjectContract(fixture: () => StoreFixture): void {
  const start = async (f: StoreFixture, task: TaskRecord) => {
    const commit = buildCommit(f.clock, task);
    expect(await f.store.commitIssuance(commit)).toEqual({ ok: true });
    return commit;
  };
  /** Another writ of the same task, exchanged from `subject`, at the current generation. */
  const reExchange = async (f: StoreFixture, subject: CommitIssuanceInput): Promise<CommitIssuanceInput> => {
    const writ = buildWrit(f.clock, subject.task, { gen: await f.store.currentGeneration() });
    return {
      task: subject.task,
      createTask: false,
      writ,
      audit: buildAudit(f.clock, { task_id: subject.task.id, jti: writ.jti }),
      requireLive: [...subject.task.chain, subject.task.id],
      subject: livenessOf(subject.writ, subject.task),
    };
  };
  /** A child task delegated from `subject`'s task, at the current generation. */
  const delegate = async (f: StoreFixture, subject: CommitIssuanceInput): Promise<CommitIssuanceInput> => {
    const child = buildChildTask(f.clock, subject.task);
    const writ = buildWrit(f.clock, child, { gen: await f.store.currentGeneration() });
    return {
      task: child,
      createTask: true,
      writ,
      audit: buildAudit(f.clock, { task_id: child.id, jti: writ.jti }),
      requireLive: child.chain,
      subject: livenessOf(subject.writ, subject.task),
    };
  };
  const revoke = (f: StoreFixture, target: RevocationTarget) =>
    f.store.revoke({ target, reason: 'test', audit: buildAudit(f.clock, { type: 'task.revoked' }) });

  describe('commitIssuance: the subject writ', () => {
    it.each([
      ['re-exchange', reExchange],
      ['delegation', delegate],
    ] as const)('commits a %s from a live subject', async (_name, build) => {
      const f = fixture();
      const subject = await start(f, buildTask(f.clock));
      const commit = await build(f, subject);
      expect(await f.store.commitIssuance(commit)).toEqual({ ok: true });
      expect(await f.store.checkWritLive(livenessOf(commit.writ, commit.task))).toEqual({ live: true });
    });

    const revocations: Array<[string, (subject: CommitIssuanceInput) => RevocationTarget]> = [
      ['jti', (s) => ({ kind: 'writ', jti: s.writ.jti })],
      ['principal generation (sub)', (s) => ({ kind: 'principal', principal: s.task.principal })],
      ['principal generation (actor)', () => ({ kind: 'principal', principal: ACTOR })],
      ['issuer generation', () => ({ kind: 'issuer', issuer: 'spiffe:example.org' })],
      ['all', () => ({ kind: 'all' })],
    ];
    for (const [build, buildName] of [
      [reExchange, 're-exchange'],
      [delegate, 'delegation'],
    ] as const) {
      it.each(revocations)(
        `refuses a ${buildName} whose subject was revoked by %s, and writes nothing`,
        async (_kind, target) => {
          const f = fixture();
          const root = await start(f, buildTask(f.clock));
          // A delegated subject, so an actor principal is among the ones its writ carries.
          const subject = await start(f, buildChildTask(f.clock, root.task));
          expect((await revoke(f, target(subject))).changed).toBe(true);
          // Built after the revocation: its own generation is current, only the subject is dead.
          const commit = await build(f, subject);
          const before = await f.snapshot();
          expect(await f.store.commitIssuance(commit)).toEqual({ ok: false, reason: 'subject_not_live' });
          expect(await f.snapshot()).toEqual(before);
          expect(await f.store.getTask(commit.task.id)).toStrictEqual(
            commit.createTask ? null : subject.task,
          );
        },
      );
    }

    it('refuses an unknown subject writ, and one of a generation nobody revoked is fine', async () => {
      const f = fixture();
      const subject = await start(f, buildTask(f.clock));
      await revoke(f, { kind: 'principal', principal: 'spiffe://example.org/someone/else' });
      const commit = await reExchange(f, subject);
      expect(commit.writ.gen).toBe(2);
      expect(await f.store.commitIssuance(commit)).toEqual({ ok: true });
      const unknown = await reExchange(f, subject);
      const ghost = {
        ...unknown,
        subject: { ...(unknown.subject as NonNullable<typeof unknown.subject>), jti: newId() },
      };
      const before = await f.snapshot();
      expect(await f.store.commitIssuance(ghost)).toEqual({ ok: false, reason: 'subject_not_live' });
      expect(await f.snapshot()).toEqual(before);
    });

    it('answers subject_not_live before generation_changed when both apply', async () => {
      const f = fixture();
      const subject = await start(f, buildTask(f.clock));
      const stale = await reExchange(f, subject);
      await revoke(f, { kind: 'all' });
      expect(await f.store.commitIssuance(stale)).toEqual({ ok: false, reason: 'subject_not_live' });
    });

    it('consumes a handoff once: a second acceptance is refused and writes nothing', async () => {
      const f = fixture();
      const subject = await start(f, buildTask(f.clock));
      const handoff = { jti: newId(), until: f.clock.nowSeconds() + 60 };
      const first = { ...(await delegate(f, subject)), consumeHandoff: handoff };
      const second = { ...(await delegate(f, subject)), consumeHandoff: handoff };
      // Concurrent: exactly one commits, whichever the store serialises first.
      const results = await Promise.all([f.store.commitIssuance(first), f.store.commitIssuance(second)]);
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, reason: 'handoff_used' }]);
      const winner = results[0]?.ok ? first : second;
      const loser = winner === first ? second : first;
      expect(await f.store.getTask(loser.task.id)).toBeNull();
      expect(await f.store.getTask(winner.task.id)).toStrictEqual(winner.task);
      const snapshot = await f.snapshot();
      expect(snapshot[f.keys.handoffUsed(handoff.jti)]).toBe('1');
      // Later, too; and the refusal wrote nothing.
      const third = { ...(await delegate(f, subject)), consumeHandoff: handoff };
      expect(await f.store.commitIssuance(third)).toEqual({ ok: false, reason: 'handoff_used' });
      expect(await f.snapshot()).toEqual(snapshot);
      // Another handoff of the same parent is its own.
      const other = { ...(await delegate(f, subject)), consumeHandoff: { ...handoff, jti: newId() } };
      expect(await f.store.commitIssuance(other)).toEqual({ ok: true });
    });

    it('keeps a handoff unconsumed when the commit is refused for another reason', async () => {
      const f = fixture();
      const subject = await start(f, buildTask(f.clock));
      const handoff = { jti: newId(), until: f.clock.nowSeconds() + 60 };
      const stale = { ...(await delegate(f, subject)), consumeHandoff: handoff };
      await revoke(f, { kind: 'principal', principal: 'spiffe://example.org/someone/else' });
      const before = await f.snapshot();
      expect(await f.store.commitIssuance(stale)).toEqual({ ok: false, reason: 'generation_changed' });
      expect(await f.snapshot()).toEqual(before);
      const retry = { ...(await delegate(f, subject)), consumeHandoff: handoff };
      expect(await f.store.commitIssuance(retry)).toEqual({ ok: true });
    });

    it('refuses to consume a handoff without creating a task', async () => {
      const f = fixture();
      const subject = await start(f, buildTask(f.clock));
      const commit = { ...(await reExchange(f, subject)), consumeHandoff: { jti: newId(), until: 1 } };
      await expect(f.store.commitIssuance(commit)).rejects.toThrow(InvalidStoreInputError);
    });

    it('rejects a subject whose ids could never have been stored, before writing', async () => {
      const f = fixture();
      const subject = await start(f, buildTask(f.clock));
      const commit = await reExchange(f, subject);
      const before = await f.snapshot();
      const bad = { ...commit, subject: { ...livenessOf(subject.writ, subject.task), jti: 'a b' } };
      await expect(f.store.commitIssuance(bad)).rejects.toThrow(InvalidStoreInputError);
      expect(await f.snapshot()).toEqual(before);
    });
  });
}

/** The actor in buildWrit's chain for a delegated task. */
const ACTOR = 'spiffe://example.org/ns/agents/sa/worker';
