import { describe, expect, it } from 'vitest';
import { InvalidStoreInputError, type RevocationTarget } from '../../../src/store/index.js';
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

/** revoke, the feed, the snapshot and generations (revocation). */
export function describeRevocationContract(fixture: () => StoreFixture): void {
  const revokeEvent = (f: StoreFixture) => buildAudit(f.clock, { type: 'task.revoked', decision: 'info' });

  describe('revoke: principal and issuer marks (bounded state, identity ban)', () => {
    const allEvent = (f: StoreFixture) => buildAudit(f.clock, { type: 'all.revoked', decision: 'info' });

    it('records when each was revoked, for the identity ban, read with the generation first', async () => {
      const f = fixture();
      const p = 'spiffe://example.org/ns/a';
      expect(await f.store.identityBan(p, 'spiffe:example.org')).toEqual({
        generation: 1,
        bannedSinceMs: null,
      });
      const at = f.clock.nowMs();
      await f.store.revoke({ target: { kind: 'principal', principal: p }, reason: 'x', audit: allEvent(f) });
      expect(await f.store.identityBan(p, 'spiffe:example.org')).toEqual({
        generation: 2,
        bannedSinceMs: at,
      });
      expect(await f.store.identityBan('spiffe://example.org/ns/b', 'spiffe:example.org')).toEqual({
        generation: 2,
        bannedSinceMs: null,
      });
      f.clock.advance(5000);
      await f.store.revoke({
        target: { kind: 'issuer', issuer: 'spiffe:example.org' },
        reason: 'x',
        audit: allEvent(f),
      });
      expect(await f.store.identityBan('spiffe://example.org/ns/b', 'spiffe:example.org')).toEqual({
        generation: 3,
        bannedSinceMs: at + 5000,
      });
      f.clock.advance(5000);
      await f.store.revoke({ target: { kind: 'all' }, reason: 'x', audit: allEvent(f) });
      expect(await f.store.identityBan('oidc:ci:x', 'oidc:ci')).toEqual({
        generation: 4,
        bannedSinceMs: at + 10_000,
      });
    });

    it('drops a mark once its time has passed, at a later revocation; keeps marks made without one', async () => {
      const f = fixture();
      const now = f.clock.nowSeconds();
      const shortLived = 'spiffe://example.org/ns/short';
      const longLived = 'spiffe://example.org/ns/long';
      const forever = 'spiffe://example.org/ns/forever';
      const principal = (name: string) => ({ kind: 'principal', principal: name }) as const;
      await f.store.revoke({
        target: principal(shortLived),
        reason: 'x',
        markUntil: now + 10,
        audit: allEvent(f),
      });
      await f.store.revoke({
        target: principal(longLived),
        reason: 'x',
        markUntil: now + 1000,
        audit: allEvent(f),
      });
      await f.store.revoke({ target: principal(forever), reason: 'x', audit: allEvent(f) });
      await f.store.revoke({
        target: { kind: 'issuer', issuer: 'oidc:ci' },
        reason: 'x',
        markUntil: now + 10,
        audit: allEvent(f),
      });
      expect(Object.keys((await f.store.revocationSnapshot()).principals).sort()).toEqual(
        [forever, longLived, shortLived].sort(),
      );
      f.clock.advance(11_000);
      // Still listed until a later revocation prunes: pruning is part of a write, never of a read.
      expect((await f.store.revocationSnapshot()).issuers).toEqual({ 'oidc:ci': 5 });
      await f.store.revoke({ target: { kind: 'all' }, reason: 'x', audit: allEvent(f) });
      const snapshot = await f.snapshot();
      expect(snapshot[f.keys.revokedPrincipals]).toEqual({ [longLived]: '3', [forever]: '4' });
      expect(Object.keys(snapshot[f.keys.revokedPrincipalsAt] ?? {}).sort()).toEqual(
        [forever, longLived].sort(),
      );
      expect(snapshot[f.keys.revokedMarks]).toEqual({ [`p:${longLived}`]: String(now + 1000) });
      expect(snapshot[f.keys.revokedIssuers]).toBeUndefined();
      expect(snapshot[f.keys.revokedIssuersAt]).toBeUndefined();
      expect((await f.store.identityBan(shortLived, 'spiffe:example.org')).bannedSinceMs).toBe(
        f.clock.nowMs(),
      );
      await expect(
        f.store.revoke({ target: principal(shortLived), reason: 'x', markUntil: -1, audit: allEvent(f) }),
      ).rejects.toThrow(InvalidStoreInputError);
    });
  });

  describe('revoke: tasks and writs', () => {
    it('revokes a live task once: status, feed entry, snapshot and audit event together', async () => {
      const f = fixture();
      const commit = buildCommit(f.clock, buildTask(f.clock));
      await f.store.commitIssuance(commit);
      const audit = revokeEvent(f);
      const target: RevocationTarget = { kind: 'task', task_id: commit.task.id };
      const result = await f.store.revoke({ target, reason: 'operator', audit });
      const until = commit.task.expires_at + 60;
      expect(result).toEqual({
        changed: true,
        entry: {
          id: expect.stringMatching(/^\d+-\d+$/),
          target,
          until,
          status: 'revoked',
          reason: 'operator',
          time: f.clock.nowMs(),
        },
      });
      expect(await f.store.getTask(commit.task.id)).toStrictEqual({ ...commit.task, status: 'revoked' });
      expect(await f.store.readAudit(10)).toStrictEqual([audit, commit.audit]);
      expect(await f.store.readRevocations('0-0', 10)).toStrictEqual({
        entries: [result.entry],
        gap: false,
        ahead: false,
      });
      expect(await f.store.revocationSnapshot()).toStrictEqual({
        last_id: result.entry?.id,
        generation: 1,
        all_below: 0,
        principals: {},
        issuers: {},
        tasks: [{ task_id: commit.task.id, status: 'revoked', until }],
        writs: [],
      });
    });

    it('is idempotent: an ended or unknown task changes nothing but is still audited', async () => {
      const f = fixture();
      const commit = buildCommit(f.clock, buildTask(f.clock));
      await f.store.commitIssuance(commit);
      const target: RevocationTarget = { kind: 'task', task_id: commit.task.id };
      await f.store.revoke({ target, reason: 'done', status: 'completed', audit: revokeEvent(f) });
      const before = await f.snapshot();
      const again = revokeEvent(f);
      expect(await f.store.revoke({ target, reason: 'operator', audit: again })).toEqual({ changed: false });
      const unknown = revokeEvent(f);
      const missing: RevocationTarget = { kind: 'task', task_id: 'no-such-task' };
      expect(await f.store.revoke({ target: missing, reason: 'operator', audit: unknown })).toEqual({
        changed: false,
      });
      const badId: RevocationTarget = { kind: 'task', task_id: 'bad id' };
      expect(await f.store.revoke({ target: badId, reason: 'operator', audit: revokeEvent(f) })).toEqual({
        changed: false,
      });
      const after = await f.snapshot();
      expect({ ...after, [f.keys.audit]: undefined }).toEqual({ ...before, [f.keys.audit]: undefined });
      expect((await f.store.readAudit(3)).slice(1)).toStrictEqual([unknown, again]);
      expect((await f.store.getTask(commit.task.id))?.status).toBe('completed');
      expect((await f.store.readRevocations('0-0', 10)).entries).toHaveLength(1);
    });

    it('quarantineTask is a revocation with status quarantined, and writes nothing when not live', async () => {
      const f = fixture();
      const commit = buildCommit(f.clock, buildTask(f.clock));
      await f.store.commitIssuance(commit);
      expect(await f.store.quarantineTask(commit.task.id, revokeEvent(f))).toBe(true);
      const [entry] = (await f.store.readRevocations('0-0', 10)).entries;
      expect(entry).toMatchObject({ status: 'quarantined', reason: 'quarantined' });
      expect((await f.store.revocationSnapshot()).tasks).toEqual([
        { task_id: commit.task.id, status: 'quarantined', until: commit.task.expires_at + 60 },
      ]);
      const before = await f.snapshot();
      expect(await f.store.quarantineTask(commit.task.id, revokeEvent(f))).toBe(false);
      expect(await f.snapshot()).toEqual(before);
    });

    it('revokes a known writ by jti once, and an unknown jti only when told how long to remember it', async () => {
      const f = fixture();
      const commit = buildCommit(f.clock, buildTask(f.clock));
      await f.store.commitIssuance(commit);
      const { writ, task } = commit;
      const target: RevocationTarget = { kind: 'writ', jti: writ.jti };
      const result = await f.store.revoke({ target, reason: 'leaked', audit: revokeEvent(f) });
      expect(result.entry).toMatchObject({ target, until: writ.expires_at + 60, reason: 'leaked' });
      expect(result.entry).not.toHaveProperty('status');
      expect(await f.store.checkWritLive(livenessOf(writ, task))).toEqual({
        live: false,
        reason: 'writ_revoked',
      });
      expect(await f.store.getTaskWrits(task.id)).toStrictEqual([{ ...writ, revoked: true }]);
      expect(await f.store.revoke({ target, reason: 'leaked', audit: revokeEvent(f) })).toEqual({
        changed: false,
      });
      const stranger: RevocationTarget = { kind: 'writ', jti: newId() };
      expect(await f.store.revoke({ target: stranger, reason: 'x', audit: revokeEvent(f) })).toEqual({
        changed: false,
      });
      const remembered = await f.store.revoke({
        target: stranger,
        reason: 'x',
        audit: revokeEvent(f),
        writUntil: f.clock.nowSeconds() + 100,
      });
      expect(remembered.entry?.until).toBe(f.clock.nowSeconds() + 160);
      expect((await f.store.revocationSnapshot()).writs).toEqual([
        { jti: stranger.jti, until: f.clock.nowSeconds() + 160 },
        { jti: writ.jti, until: writ.expires_at + 60 },
      ]);
    });

    it('revoking the root kills a depth-3 descendant; its siblings elsewhere stay live', async () => {
      const f = fixture();
      const root = buildTask(f.clock);
      const tasks = [root];
      for (let depth = 1; depth <= 3; depth++) tasks.push(buildChildTask(f.clock, tasks.at(-1) ?? root));
      const commits = tasks.map((task) => buildCommit(f.clock, task));
      for (const commit of commits) expect(await f.store.commitIssuance(commit)).toEqual({ ok: true });
      const other = buildCommit(f.clock, buildTask(f.clock));
      await f.store.commitIssuance(other);
      const deepest = commits[3];
      if (deepest === undefined) throw new Error('no depth-3 task');
      expect(deepest.task.chain).toHaveLength(3);
      const live = livenessOf(deepest.writ, deepest.task);
      expect(await f.store.checkWritLive(live)).toEqual({ live: true });
      await f.store.revoke({
        target: { kind: 'task', task_id: root.id },
        reason: 'x',
        audit: revokeEvent(f),
      });
      expect(await f.store.checkWritLive(live)).toEqual({ live: false, reason: 'ancestor_not_live' });
      expect(await f.store.checkWritLive(livenessOf(other.writ, other.task))).toEqual({ live: true });
      expect(await f.store.areTasksLive(deepest.task.chain)).toBe(false);
    });

    it('forgets task and writ revocations once no writ they cover can be accepted', async () => {
      const f = fixture();
      const task = buildTask(f.clock, { expires_at: f.clock.nowSeconds() + 30 });
      await f.store.commitIssuance(buildCommit(f.clock, task));
      await f.store.revoke({
        target: { kind: 'task', task_id: task.id },
        reason: 'x',
        audit: revokeEvent(f),
      });
      f.clock.advance(90_000);
      expect((await f.store.revocationSnapshot()).tasks).toEqual([
        { task_id: task.id, status: 'revoked', until: task.expires_at + 60 },
      ]);
      f.clock.advance(1_000);
      expect((await f.store.revocationSnapshot()).tasks).toEqual([]);
      await f.store.revoke({ target: { kind: 'all' }, reason: 'x', audit: revokeEvent(f) });
      const snapshot = await f.snapshot();
      expect(snapshot).not.toHaveProperty(f.keys.revokedTasks);
      expect(snapshot).not.toHaveProperty(f.keys.revokedTaskStatus);
    });

    it('rejects a malformed revocation before writing', async () => {
      const f = fixture();
      const bad = [
        { target: { kind: 'principal', principal: '' } as RevocationTarget, reason: 'x' },
        { target: { kind: 'nothing' } as unknown as RevocationTarget, reason: 'x' },
        { target: { kind: 'all' } as RevocationTarget, reason: 'x'.repeat(600) },
        { target: { kind: 'writ', jti: 'j' } as RevocationTarget, reason: 'x', writUntil: 1.5 },
      ];
      for (const input of bad) {
        await expect(f.store.revoke({ ...input, audit: revokeEvent(f) })).rejects.toThrow(
          InvalidStoreInputError,
        );
      }
      expect(await f.snapshot()).toEqual({});
    });
  });

  describe('revoke: generations', () => {
    it('a principal revocation kills its writs issued before it, not the ones after', async () => {
      const f = fixture();
      expect(await f.store.currentGeneration()).toBe(1);
      const mine = buildCommit(f.clock, buildTask(f.clock));
      const theirs = buildCommit(
        f.clock,
        buildTask(f.clock, {
          principal: 'spiffe://example.org/other',
          client_id: 'spiffe://example.org/other',
        }),
      );
      await f.store.commitIssuance(mine);
      await f.store.commitIssuance(theirs);
      const target: RevocationTarget = { kind: 'principal', principal: mine.task.principal };
      const result = await f.store.revoke({ target, reason: 'compromised', audit: revokeEvent(f) });
      expect(result.entry).toMatchObject({ target, below_gen: 2, reason: 'compromised' });
      expect(result.entry).not.toHaveProperty('until');
      expect(await f.store.currentGeneration()).toBe(2);
      expect(await f.store.checkWritLive(livenessOf(mine.writ, mine.task))).toEqual({
        live: false,
        reason: 'revoked_by_generation',
      });
      expect(await f.store.checkWritLive(livenessOf(theirs.writ, theirs.task))).toEqual({ live: true });

      const stale = { ...buildCommit(f.clock, mine.task, false) };
      const before = await f.snapshot();
      expect(await f.store.commitIssuance(stale)).toEqual({ ok: false, reason: 'generation_changed' });
      expect(await f.snapshot()).toEqual(before);
      const fresh = { ...stale, writ: buildWrit(f.clock, mine.task, { gen: 2 }) };
      expect(await f.store.commitIssuance(fresh)).toEqual({ ok: true });
      expect(await f.store.checkWritLive(livenessOf(fresh.writ, mine.task))).toEqual({ live: true });
      // Idempotent in effect: a second revocation is a new generation, and still covers only older writs.
      await f.store.revoke({ target, reason: 'again', audit: revokeEvent(f) });
      expect(await f.store.checkWritLive(livenessOf(fresh.writ, mine.task))).toEqual({
        live: false,
        reason: 'revoked_by_generation',
      });
    });

    it('issuer and all revocations bump the generation; the snapshot holds them all', async () => {
      const f = fixture();
      const commit = buildCommit(f.clock, buildTask(f.clock));
      await f.store.commitIssuance(commit);
      const p = 'spiffe://example.org/ns/a/sa/b';
      for (const target of [
        { kind: 'principal', principal: p },
        { kind: 'issuer', issuer: 'spiffe:example.org' },
        { kind: 'all' },
      ] as RevocationTarget[]) {
        expect((await f.store.revoke({ target, reason: 'x', audit: revokeEvent(f) })).changed).toBe(true);
      }
      const live = livenessOf(commit.writ, commit.task);
      expect(await f.store.checkWritLive({ ...live, issuers: [] })).toEqual({
        live: false,
        reason: 'revoked_by_generation',
      });
      const { entries } = await f.store.readRevocations('0-0', 10);
      expect(entries.map((entry) => entry.below_gen)).toEqual([2, 3, 4]);
      expect(await f.store.revocationSnapshot()).toStrictEqual({
        last_id: entries[2]?.id,
        generation: 4,
        all_below: 4,
        principals: { [p]: 2 },
        issuers: { 'spiffe:example.org': 3 },
        tasks: [],
        writs: [],
      });
    });
  });
}
