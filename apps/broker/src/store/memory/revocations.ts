import type { AuditEvent } from '../../audit/audit-event.js';
import type { RevocationEntry, RevokeInput, RevokeResult, WritStore } from '../port/index.js';
import { InvalidCursorError } from '../shared/errors.js';
import { latestBan } from '../shared/identity-ban.js';
import { isValidKeyId } from '../shared/keys.js';
import { toCount, toCounts } from '../shared/liveness.js';
import {
  compareStreamIds,
  decodeRevocationEntry,
  encodeRevocationEntry,
  isEndedStatus,
  isStreamId,
  REVOCATION_SKEW_SECONDS,
} from '../shared/revocation-records.js';
import {
  type CheckedRevocation,
  checkFeedPage,
  checkFeedWait,
  checkRevokeInput,
  MARK_PRUNE_BATCH,
} from '../shared/revoke-input.js';
import {
  decodeSnapshotCursor,
  type ListPosition,
  SNAPSHOT_PAGE,
  type SnapshotCursor,
  snapshotPage,
} from '../shared/snapshot-cursor.js';
import type { MemoryContext } from './context.js';

type RevocationMethods = Pick<
  WritStore,
  | 'currentGeneration'
  | 'identityBan'
  | 'revoke'
  | 'revocationSnapshot'
  | 'readRevocations'
  | 'waitForRevocations'
  | 'quarantineTask'
>;

/** Revocations in memory, mirroring redis/lua/revoke.lua and revocation-snapshot.lua step by step. */
export function createMemoryRevocations(ctx: MemoryContext): RevocationMethods {
  const { clock, keys, keyspace, feed } = ctx;

  const generation = (): number => toCount(keyspace.getString(keys.generation)) ?? 1;

  const prune = (now: number): void => {
    keyspace.removeFromSortedSet(keys.revokedTasks, (taskId, until) => {
      if (until >= now) return false;
      keyspace.removeHashField(keys.revokedTaskStatus, taskId);
      return true;
    });
    keyspace.removeFromSortedSet(keys.revokedWrits, (_jti, until) => until < now);
    // Principal / issuer marks nothing can need any more, a bounded batch, oldest first (revoke.lua).
    const stale = keyspace
      .sortedSetDescending(keys.revokedMarks)
      .reverse()
      .filter(([, until]) => until < now)
      .slice(0, MARK_PRUNE_BATCH)
      .map(([member]) => member);
    for (const member of stale) {
      const marked = member.slice(2);
      const principal = member.startsWith('p:');
      keyspace.removeHashField(principal ? keys.revokedPrincipals : keys.revokedIssuers, marked);
      keyspace.removeHashField(principal ? keys.revokedPrincipalsAt : keys.revokedIssuersAt, marked);
      keyspace.removeFromSortedSet(keys.revokedMarks, (m) => m === member);
    }
  };

  const mark = (kind: 'principal' | 'issuer', name: string, markUntil: number | undefined): number => {
    const below = bumpGeneration();
    const principal = kind === 'principal';
    keyspace.setHash(principal ? keys.revokedPrincipals : keys.revokedIssuers, [name, String(below)]);
    keyspace.setHash(principal ? keys.revokedPrincipalsAt : keys.revokedIssuersAt, [
      name,
      String(clock.nowMs()),
    ]);
    const member = `${principal ? 'p' : 'i'}:${name}`;
    if (markUntil !== undefined) keyspace.addToSortedSet(keys.revokedMarks, member, markUntil);
    // No retention given: the mark is kept for good, never pruned.
    else keyspace.removeFromSortedSet(keys.revokedMarks, (m) => m === member);
    return below;
  };

  const applyTask = (taskId: string, status: string): number | undefined => {
    if (!isValidKeyId(taskId)) return undefined;
    const taskKey = keys.task(taskId);
    const expiresAt = ctx.liveUntil(taskKey);
    if (expiresAt === undefined) return undefined;
    const until = expiresAt + REVOCATION_SKEW_SECONDS;
    keyspace.setHash(taskKey, ['status', status]);
    keyspace.addToSortedSet(keys.revokedTasks, taskId, until);
    keyspace.setHash(keys.revokedTaskStatus, [taskId, status]);
    return until;
  };

  const applyWrit = (jti: string, writUntil: number | undefined): number | undefined => {
    if (!isValidKeyId(jti)) return undefined;
    const taskId = keyspace.getString(keys.writTask(jti));
    const writKey = taskId === undefined ? undefined : keys.writ(taskId, jti);
    const writ = writKey === undefined ? undefined : keyspace.hashFields(writKey);
    if (writ?.revoked === '1' || keyspace.sortedSetScore(keys.revokedWrits, jti) !== undefined)
      return undefined;
    const expiresAt = writ === undefined ? writUntil : Number(writ.expires_at);
    if (expiresAt === undefined) return undefined;
    const until = expiresAt + REVOCATION_SKEW_SECONDS;
    if (writKey !== undefined && writ !== undefined) keyspace.setHash(writKey, ['revoked', '1']);
    keyspace.addToSortedSet(keys.revokedWrits, jti, until);
    return until;
  };

  const bumpGeneration = (): number => {
    const next = generation() + 1;
    keyspace.setString(keys.generation, String(next));
    return next;
  };

  const apply = (checked: CheckedRevocation): Omit<RevocationEntry, 'id'> | undefined => {
    const { target, reason } = checked;
    const time = clock.nowMs();
    switch (target.kind) {
      case 'task': {
        const until = applyTask(target.task_id, checked.status);
        return until === undefined ? undefined : { target, until, status: checked.status, reason, time };
      }
      case 'writ': {
        const until = applyWrit(target.jti, checked.writUntil);
        return until === undefined ? undefined : { target, until, reason, time };
      }
      case 'principal': {
        const below = mark('principal', target.principal, checked.markUntil);
        return { target, below_gen: below, reason, time };
      }
      case 'issuer': {
        const below = mark('issuer', target.issuer, checked.markUntil);
        return { target, below_gen: below, reason, time };
      }
      case 'all': {
        const below = bumpGeneration();
        keyspace.setString(keys.revokedAll, String(below));
        keyspace.setString(keys.revokedAllAt, String(time));
        return { target, below_gen: below, reason, time };
      }
    }
  };

  const revokeWith = (input: RevokeInput, auditWhenUnchanged: boolean): RevokeResult => {
    const checked = checkRevokeInput(input);
    ctx.checkOpen();
    prune(clock.nowSeconds());
    const entry = apply(checked);
    const id = entry === undefined ? undefined : feed.append(encodeRevocationEntry(entry));
    if (feed.maxDeletedId() !== '0-0') keyspace.setString(keys.revocationsTrimmed, feed.maxDeletedId());
    if (entry !== undefined || auditWhenUnchanged) ctx.appendEvent(input.audit);
    return entry === undefined || id === undefined
      ? { changed: false }
      : { changed: true, entry: { id, ...entry } };
  };

  return {
    async currentGeneration() {
      ctx.checkOpen();
      return generation();
    },

    async identityBan(principal, issuerId) {
      ctx.checkOpen();
      return {
        generation: generation(),
        bannedSinceMs: latestBan([
          keyspace.hashFields(keys.revokedPrincipalsAt)?.[principal],
          keyspace.hashFields(keys.revokedIssuersAt)?.[issuerId],
          keyspace.getString(keys.revokedAllAt),
        ]),
      };
    },

    async revoke(input) {
      return revokeWith(input, true);
    },

    async quarantineTask(id: string, audit: AuditEvent) {
      if (!isValidKeyId(id)) return false;
      const target = { kind: 'task', task_id: id } as const;
      return revokeWith({ target, status: 'quarantined', reason: 'quarantined', audit }, false).changed;
    },

    async revocationSnapshot(cursor) {
      const at: SnapshotCursor = cursor === undefined ? {} : decodeSnapshotCursor(cursor);
      ctx.checkOpen();
      const now = clock.nowSeconds();
      const statuses = keyspace.hashFields(keys.revokedTaskStatus) ?? {};
      // The same page as revocation-snapshot.lua: after the cursor's member by rank while it is
      // still there and unexpired, else after its score; entries with until >= now only.
      const page = (key: string, position: ListPosition | undefined): Array<[string, number]> => {
        if (position === 'done') return [];
        const ascending = keyspace.sortedSetDescending(key).reverse();
        let from = ascending.findIndex(([, until]) => until >= now);
        if (position !== undefined) {
          const rank = ascending.findIndex(([member]) => member === position.member);
          const score = rank === -1 ? undefined : ascending[rank]?.[1];
          if (score !== undefined && score >= now) from = rank + 1;
          else if (rank === -1 && position.until >= now) {
            from = ascending.findIndex(([, until]) => until > position.until);
          }
        }
        return from === -1 ? [] : ascending.slice(from, from + SNAPSHOT_PAGE);
      };
      return snapshotPage(
        {
          last_id: feed.lastId(),
          generation: generation(),
          all_below: toCount(keyspace.getString(keys.revokedAll)) ?? 0,
          principals: toCounts(keyspace.hashFields(keys.revokedPrincipals)),
          issuers: toCounts(keyspace.hashFields(keys.revokedIssuers)),
          tasks: page(keys.revokedTasks, at.tasks).map(([task_id, until]) => {
            const status = statuses[task_id];
            return { task_id, status: isEndedStatus(status) ? status : 'revoked', until };
          }),
          writs: page(keys.revokedWrits, at.writs).map(([jti, until]) => ({ jti, until })),
        },
        at,
      );
    },

    async readRevocations(afterId, count) {
      if (!isStreamId(afterId)) throw new InvalidCursorError('not a revocation feed id');
      checkFeedPage(count);
      ctx.checkOpen();
      return {
        entries: feed.after(afterId, count).map((entry) => decodeRevocationEntry(entry.id, entry.value)),
        gap: compareStreamIds(afterId, keyspace.getString(keys.revocationsTrimmed) ?? '0-0') < 0,
        ahead: compareStreamIds(afterId, feed.lastId()) > 0,
      };
    },

    async waitForRevocations(afterId, timeoutMs, signal) {
      checkFeedWait(afterId, timeoutMs);
      ctx.checkOpen();
      return feed.waitAfter(afterId, timeoutMs, signal);
    },
  };
}
